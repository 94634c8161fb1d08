package bridge

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPackageDocNamesItsSubPackages: the package doc says what bridge owns
// and where the rest lives; it names every sub-package, so that it cannot
// again claim the spool or follow mode for itself.
func TestPackageDocNamesItsSubPackages(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "bridge.go", nil, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil {
		t.Fatal(err)
	}
	doc := f.Doc.Text()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		if !e.IsDir() || e.Name() == "testdata" {
			continue
		}
		if m, _ := filepath.Glob(filepath.Join(e.Name(), "*.go")); len(m) == 0 {
			continue
		}
		n++
		if !strings.Contains(doc, "bridge/"+e.Name()) {
			t.Errorf("the package doc does not name bridge/%s", e.Name())
		}
	}
	if n == 0 {
		t.Fatal("no sub-packages found")
	}
}
