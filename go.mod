module github.com/ossec-nagios/ossec-nagios

go 1.26.0

require (
	github.com/sirupsen/logrus v1.10.2
	golang.org/x/crypto v0.58.0
	gopkg.in/ini.v1 v1.67.3
)

require golang.org/x/sys v0.49.0
