// A Go net/http server for httpool's real-server tests (test/support/real-servers/go-server.ts
// builds it with `go build` at test time; the standard library only, so it builds offline).
//
//	GET  /hello        "hello"
//	POST /post?id=X    reads the body, prints "POST X" on stdout (the tests count these lines:
//	                   a POST the client sent twice shows twice), answers "ok X"
//	GET  /slow?ms=N    answers after N ms
//
// -idle sets Server.IdleTimeout (HTTP/1.1 keep-alive and HTTP/2 alike). -max-per-conn N answers
// the Nth request on an HTTP/1.1 connection with Connection: close, as Apache's
// MaxKeepAliveRequests and nginx's keepalive_requests do (Go has no such knob). With -cert and
// -key it also serves TLS on -tls-addr, HTTP/2 by ALPN. It exits when stdin closes, so it never outlives the test.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

type connKey struct{}

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "plain HTTP listen address")
	tlsAddr := flag.String("tls-addr", "", "TLS listen address (needs -cert and -key)")
	idle := flag.Duration("idle", time.Second, "IdleTimeout")
	maxPerConn := flag.Int64("max-per-conn", 0, "close an HTTP/1.1 connection after this many requests (0: never)")
	cert := flag.String("cert", "", "TLS certificate")
	key := flag.String("key", "", "TLS key")
	flag.String("tag", "", "ignored: names the test's temp directory in the command line, so the test can find this process")
	flag.Parse()

	var outMu sync.Mutex
	out := bufio.NewWriter(os.Stdout)
	say := func(line string) {
		outMu.Lock()
		out.WriteString(line + "\n")
		out.Flush()
		outMu.Unlock()
	}

	mux := http.NewServeMux()
	limit := func(w http.ResponseWriter, r *http.Request) {
		if n, ok := r.Context().Value(connKey{}).(*int64); ok && *maxPerConn > 0 && r.ProtoMajor == 1 {
			if atomic.AddInt64(n, 1) >= *maxPerConn {
				w.Header().Set("Connection", "close")
			}
		}
	}
	mux.HandleFunc("/hello", func(w http.ResponseWriter, r *http.Request) {
		limit(w, r)
		io.WriteString(w, "hello")
	})
	mux.HandleFunc("/post", func(w http.ResponseWriter, r *http.Request) {
		limit(w, r)
		io.Copy(io.Discard, r.Body)
		id := r.URL.Query().Get("id")
		say(r.Method + " " + id)
		io.WriteString(w, "ok "+id)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		limit(w, r)
		ms, _ := strconv.Atoi(r.URL.Query().Get("ms"))
		time.Sleep(time.Duration(ms) * time.Millisecond)
		io.WriteString(w, "slow")
	})
	srv := &http.Server{
		Handler:     mux,
		IdleTimeout: *idle,
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			return context.WithValue(ctx, connKey{}, new(int64))
		},
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	errs := make(chan error, 2)
	go func() { errs <- srv.Serve(ln) }()
	if *tlsAddr != "" {
		tln, err := net.Listen("tcp", *tlsAddr)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		go func() { errs <- srv.ServeTLS(tln, *cert, *key) }()
	}
	go func() {
		io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	err = <-errs
	fmt.Fprintln(os.Stderr, err)
	os.Exit(1)
}
