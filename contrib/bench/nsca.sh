# contrib/bench/nsca.sh, sourced by the bench scripts: the real nsca daemon
# they send to, started the same way by each.

# freeport: a free TCP port on 127.0.0.1.
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# wait_port PORT: returns once something listens on 127.0.0.1:PORT (5 s at
# most).
wait_port() {
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done
  echo "bench: nothing listens on 127.0.0.1:$1" >&2
  return 1
}

# start_nsca DIR PORT PASSWORD METHOD AGGREGATE: /usr/sbin/nsca -f --single
# on 127.0.0.1:PORT with decryption_method METHOD and aggregate_writes
# AGGREGATE (0 or 1), writing to DIR/nagios.cmd, a regular file; a
# matching DIR/send_nsca.cfg. Its pid is in NSCA_PID (record it for the
# cleanup, then wait_port PORT).
start_nsca() {
  local dir=$1 port=$2 password=$3 method=$4 aggregate=$5
  : > "$dir/nagios.cmd"
  cat > "$dir/nsca.cfg" <<CFG
server_address=127.0.0.1
server_port=$port
command_file=$dir/nagios.cmd
alternate_dump_file=$dir/nsca.dump
append_to_file=1
aggregate_writes=$aggregate
debug=0
password=$password
decryption_method=$method
CFG
  [ "$(id -u)" = 0 ] && printf 'nsca_user=root\nnsca_group=root\n' >> "$dir/nsca.cfg"
  printf 'password=%s\nencryption_method=%s\n' "$password" "$method" > "$dir/send_nsca.cfg"
  /usr/sbin/nsca -f -c "$dir/nsca.cfg" --single &
  NSCA_PID=$!
}
