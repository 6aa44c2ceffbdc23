// A Go net/http server for httpool's real-server tests (test/support/real-servers/go-server.ts
// builds it with `go build` at test time; the standard library only, so it builds offline).
//
//	GET  /hello        "hello"
//	POST /post?id=X    reads the body, prints "POST X" on stdout (the tests count these lines:
//	                   a POST the client sent twice shows twice), answers "ok X"
//	GET  /slow?ms=N    answers after N ms
//	GET  /pattern?n=N  N bytes of the interop pattern (byte i = i + 31*(i>>8) + 101*(i>>16), mod
//	                   256; test/support/h2-interop.ts makes the same), Content-Length set so HEAD
//	                   keeps it
//	POST /echo         answers with the request body, its SHA-256 in X-Body-Sha256
//	GET  /trailers     "trailers", then trailer X-Interop-Trailer: go
//	GET  /no-content   204
//
// -idle sets Server.IdleTimeout (HTTP/1.1 keep-alive and HTTP/2 alike). -max-per-conn N answers
// the Nth request on an HTTP/1.1 connection with Connection: close, as Apache's
// MaxKeepAliveRequests and nginx's keepalive_requests do (Go has no such knob). With -cert and
// -key it also serves TLS on -tls-addr, HTTP/2 by ALPN. It exits when stdin closes, so it never outlives the test.
package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
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
	// The HTTP/2 interop matrix (test/h2-interop.test.ts).
	mux.HandleFunc("/pattern", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(i + 31*(i>>8) + 101*(i>>16))
		}
		// Set explicitly: Go only computes Content-Length for a body that fits its first buffer,
		// and HEAD must still declare the length.
		w.Header().Set("Content-Length", strconv.Itoa(n))
		w.Header().Set("Content-Type", "application/octet-stream")
		if r.Method != http.MethodHead {
			w.Write(b)
		}
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		sum := sha256.Sum256(b)
		w.Header().Set("X-Body-Sha256", hex.EncodeToString(sum[:]))
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.Write(b)
	})
	mux.HandleFunc("/trailers", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Trailer", "X-Interop-Trailer")
		io.WriteString(w, "trailers")
		w.Header().Set("X-Interop-Trailer", "go")
	})
	mux.HandleFunc("/no-content", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNoContent)
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
