// A small load generator on Go's net/http client, for httpool's benchmark (bench/go-runner.ts
// builds it with `go build` at run time and drives it). It is the same loop as bench/measure.ts:
// -c goroutines, each sending one request after another and reading the body to the end;
// a response with the wrong status, length or protocol is an error, not a data point.
//
// The process keeps one http.Transport (and so its idle connections) for its whole life, as
// the Node clients keep theirs across rounds. It reads commands from stdin, one per line:
//
//	run <milliseconds>   measure for that long; prints one JSON line (see Result)
//
// and exits at EOF, so it never outlives the bench that started it. No external modules.
// With -mem-idle-urls / -mem-stream-url it instead measures the HTTP/2 memory figures once
// and exits (memMode, for bench/memory-h2.ts).
package main

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Result is one run's figures, in the shape bench/go-runner.ts parses.
type Result struct {
	Requests  int64    `json:"requests"`
	Errors    int64    `json:"errors"`
	Bytes     int64    `json:"bytes"`
	ElapsedMs float64  `json:"elapsedMs"`
	P50Ms     float64  `json:"p50Ms"`
	P99Ms     float64  `json:"p99Ms"`
	CPUMs     float64  `json:"cpuMs"`
	Protocols []string `json:"protocols"`
	Failure   *string  `json:"failure"`
}

// Bounds that keep every loop finite, as in bench/measure.ts.
const maxRequestsPerRun = 5_000_000
const maxErrorsPerRun = 50

type config struct {
	url         string
	method      string
	body        []byte
	expectBytes int64
	expectProto string
	concurrency int
}

func cpuMs() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	tv := func(t syscall.Timeval) float64 { return float64(t.Sec)*1e3 + float64(t.Usec)/1e3 }
	return tv(ru.Utime) + tv(ru.Stime)
}

func newClient(caFile string, h2 bool, concurrency int, maxConns int) (*http.Client, error) {
	tr := &http.Transport{
		MaxIdleConns:        concurrency * 2,
		MaxIdleConnsPerHost: concurrency,
		MaxConnsPerHost:     maxConns,
		IdleConnTimeout:     90 * time.Second,
		// The Node clients do not ask for gzip either (and the servers do not compress).
		DisableCompression: true,
		ForceAttemptHTTP2:  h2,
	}
	if caFile != "" {
		pem, err := os.ReadFile(caFile)
		if err != nil {
			return nil, err
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("no certificate in %s", caFile)
		}
		tr.TLSClientConfig = &tls.Config{RootCAs: pool}
	}
	if !h2 {
		// A non-nil empty map turns HTTP/2 off (ALPN offers http/1.1 only).
		tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	}
	return &http.Client{Transport: tr, Timeout: 30 * time.Second}, nil
}

func one(client *http.Client, cfg *config) (int64, string, error) {
	var body io.Reader
	if cfg.body != nil {
		body = bytes.NewReader(cfg.body)
	}
	req, err := http.NewRequest(cfg.method, cfg.url, body)
	if err != nil {
		return 0, "", err
	}
	if cfg.body != nil {
		req.Header.Set("Content-Type", "application/octet-stream")
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, "", err
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return n, resp.Proto, err
	}
	if resp.StatusCode != 200 {
		return n, resp.Proto, fmt.Errorf("go: status %d", resp.StatusCode)
	}
	return n, resp.Proto, nil
}

func percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return -1
	}
	rank := int(float64(len(sorted))*p/100+0.999999999) - 1
	if rank < 0 {
		rank = 0
	}
	if rank >= len(sorted) {
		rank = len(sorted) - 1
	}
	return sorted[rank]
}

func run(client *http.Client, cfg *config, d time.Duration) Result {
	var mu sync.Mutex
	var res Result
	var started int64
	protocols := map[string]bool{}
	lat := make([][]float64, cfg.concurrency)
	var wg sync.WaitGroup
	cpu0 := cpuMs()
	start := time.Now()
	deadline := start.Add(d)
	for w := 0; w < cfg.concurrency; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			mine := make([]float64, 0, 4096)
			for {
				mu.Lock()
				if !time.Now().Before(deadline) || started >= maxRequestsPerRun || res.Errors >= maxErrorsPerRun {
					mu.Unlock()
					break
				}
				started++
				mu.Unlock()
				t0 := time.Now()
				n, proto, err := one(client, cfg)
				ms := float64(time.Since(t0).Nanoseconds()) / 1e6
				if err == nil && proto != cfg.expectProto {
					err = fmt.Errorf("response came over %s, expected %s", proto, cfg.expectProto)
				}
				if err == nil && n != cfg.expectBytes {
					err = fmt.Errorf("body was %d bytes, expected %d", n, cfg.expectBytes)
				}
				mu.Lock()
				if proto != "" {
					protocols[proto] = true
				}
				if err != nil {
					res.Errors++
					if res.Failure == nil {
						s := err.Error()
						res.Failure = &s
					}
				} else {
					res.Requests++
					res.Bytes += n
				}
				mu.Unlock()
				if err == nil {
					mine = append(mine, ms)
				}
			}
			lat[w] = mine
		}(w)
	}
	wg.Wait()
	res.ElapsedMs = float64(time.Since(start).Nanoseconds()) / 1e6
	res.CPUMs = cpuMs() - cpu0
	var all []float64
	for _, l := range lat {
		all = append(all, l...)
	}
	sort.Float64s(all)
	res.P50Ms = percentile(all, 50)
	res.P99Ms = percentile(all, 99)
	res.Protocols = []string{}
	for p := range protocols {
		res.Protocols = append(res.Protocols, p)
	}
	return res
}

func main() {
	url := flag.String("url", "", "the URL to request")
	method := flag.String("method", "GET", "GET or POST")
	bodyBytes := flag.Int("body-bytes", 0, "POST body size (bytes of 'p')")
	expectBytes := flag.Int64("expect-bytes", -1, "the response body length every response must have")
	expectProto := flag.String("expect-proto", "HTTP/1.1", "HTTP/1.1 or HTTP/2.0")
	concurrency := flag.Int("c", 1, "requests in flight, and the connection budget")
	caFile := flag.String("ca", "", "PEM file of the CA to trust (https)")
	h2 := flag.Bool("h2", false, "offer h2 in ALPN (https)")
	maxConns := flag.Int("max-conns", 0, "MaxConnsPerHost when below -c (0: -c)")
	memIdle := flag.String("mem-idle-urls", "", "memory mode (memMode below): comma-separated URLs, one idle session each")
	memStream := flag.String("mem-stream-url", "", "memory mode: a URL whose answer the server holds back after its headers")
	memStreams := flag.Int("mem-streams", 256, "memory mode: streams held open at once on one session")
	flag.Parse()
	if *memIdle != "" || *memStream != "" {
		os.Exit(memMode(*caFile, *memIdle, *memStream, *memStreams))
	}
	if *url == "" || *concurrency < 1 {
		fmt.Fprintln(os.Stderr, "go-bench: -url and -c >= 1 are required")
		os.Exit(2)
	}
	if *maxConns < 1 || *maxConns > *concurrency {
		*maxConns = *concurrency
	}
	client, err := newClient(*caFile, *h2, *concurrency, *maxConns)
	if err != nil {
		fmt.Fprintln(os.Stderr, "go-bench:", err)
		os.Exit(1)
	}
	cfg := &config{url: *url, method: *method, expectBytes: *expectBytes, expectProto: *expectProto, concurrency: *concurrency}
	if *bodyBytes > 0 {
		cfg.body = bytes.Repeat([]byte{'p'}, *bodyBytes)
	}
	in := bufio.NewScanner(os.Stdin)
	out := json.NewEncoder(os.Stdout)
	for in.Scan() {
		fields := strings.Fields(in.Text())
		if len(fields) != 2 || fields[0] != "run" {
			fmt.Fprintln(os.Stderr, "go-bench: unknown command:", in.Text())
			os.Exit(2)
		}
		ms, err := strconv.Atoi(fields[1])
		if err != nil || ms <= 0 {
			fmt.Fprintln(os.Stderr, "go-bench: bad duration:", fields[1])
			os.Exit(2)
		}
		if err := out.Encode(run(client, cfg, time.Duration(ms)*time.Millisecond)); err != nil {
			os.Exit(1)
		}
	}
}

// MemResult is memory mode's one JSON line (bench/memory-h2.ts goRow parses it). Bytes of
// runtime.MemStats HeapAlloc + StackInuse after runtime.GC(), growth divided by the count.
type MemResult struct {
	IdleSessions       int      `json:"idleSessions"`
	IdleBytesPerSess   float64  `json:"idleBytesPerSession"`
	Streams            int      `json:"streams"`
	StreamBytesPerStrm float64  `json:"streamBytesPerStream"`
	Protocols          []string `json:"protocols"`
	Failure            *string  `json:"failure"`
}

const memStreamWait = 10 * time.Second

func heapAndStacks() float64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapAlloc + m.StackInuse)
}

func get(client *http.Client, url string) (string, error) {
	resp, err := client.Get(url)
	if err != nil {
		return "", err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err == nil && resp.StatusCode != 200 {
		err = fmt.Errorf("go: status %d from %s", resp.StatusCode, url)
	}
	return resp.Proto, err
}

// memMode: the two HTTP/2 memory figures of bench/memory.ts for Go's client, one process,
// one shot (no stdin commands). Each figure has a Transport of its own; the first request
// of each (the warm-up) is made before the baseline, so code paths and the TLS config are
// loaded. Every wait is bounded.
//   - idle: one GET to each of idleURLs (distinct ports, so one session each), bodies read;
//     the sessions stay open, idle.
//   - streams: MaxConnsPerHost 1, so one session; `streams` GETs whose answers the server
//     holds after the headers (client.Do has returned for all of them), bodies not yet read.
func memMode(caFile, idleURLs, streamURL string, streams int) int {
	res := MemResult{Protocols: []string{}}
	protos := map[string]bool{}
	fail := func(err error) int {
		s := err.Error()
		res.Failure = &s
		_ = json.NewEncoder(os.Stdout).Encode(res)
		return 1
	}
	if idleURLs != "" {
		urls := strings.Split(idleURLs, ",")
		client, err := newClient(caFile, true, len(urls), len(urls))
		if err != nil {
			return fail(err)
		}
		warm, err := newClient(caFile, true, 1, 1)
		if err != nil {
			return fail(err)
		}
		if _, err := get(warm, urls[0]); err != nil {
			return fail(err)
		}
		warm.CloseIdleConnections()
		before := heapAndStacks()
		for _, u := range urls {
			p, err := get(client, u)
			if err != nil {
				return fail(err)
			}
			protos[p] = true
		}
		after := heapAndStacks()
		res.IdleSessions = len(urls)
		res.IdleBytesPerSess = (after - before) / float64(len(urls))
		client.CloseIdleConnections()
	}
	if streamURL != "" && streams > 0 {
		client, err := newClient(caFile, true, streams, 1)
		if err != nil {
			return fail(err)
		}
		// The session is open (and warm) before the baseline: the figure is the streams' own.
		if _, err := get(client, streamURL); err != nil {
			return fail(err)
		}
		before := heapAndStacks()
		type held struct {
			resp *http.Response
			err  error
		}
		got := make(chan held, streams)
		for i := 0; i < streams; i++ {
			go func() {
				resp, err := client.Get(streamURL)
				got <- held{resp, err}
			}()
		}
		var open []*http.Response
		var firstErr error
		timeout := time.After(memStreamWait)
	wait:
		for i := 0; i < streams; i++ {
			select {
			case h := <-got:
				if h.err != nil {
					if firstErr == nil {
						firstErr = h.err
					}
					continue
				}
				open = append(open, h.resp)
			case <-timeout:
				firstErr = fmt.Errorf("only %d of %d streams had their headers within %v", len(open), streams, memStreamWait)
				break wait
			}
		}
		after := heapAndStacks()
		for _, r := range open {
			protos[r.Proto] = true
			_, _ = io.Copy(io.Discard, r.Body)
			r.Body.Close()
		}
		if firstErr != nil {
			return fail(firstErr)
		}
		res.Streams = streams
		res.StreamBytesPerStrm = (after - before) / float64(streams)
		client.CloseIdleConnections()
	}
	for p := range protos {
		res.Protocols = append(res.Protocols, p)
	}
	if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
		return 1
	}
	return 0
}
