package bench

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/connectctl/connectctl/internal/testenv"
)

// Binaries are built once, lazily, the first time a benchmark needs them, so
// `make test` (which runs no benchmark) builds nothing here.
var (
	buildOnce sync.Once
	buildDir  string
	bin       string // connectctl
	hello     string // a hello-world Go program, the start-up baseline
	floor     string // links connectctl's packages, main returns at once (floor/)
	rssrun    string // runs a command and reports its wall time and peak RSS
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

const helloSrc = `package main

import "fmt"

func main() { fmt.Println("hello, world") }
`

// rssrunSrc runs os.Args[2:] and writes "<wall ns> <maxrss KiB>" to the file
// os.Args[1]. The peak RSS of a process on Linux includes that of the process
// it was forked from, up to its exec (the kernel keeps the old memory's high
// water mark), so a child of the benchmark process would report the
// benchmark's own peak whenever that is larger. Measured from this small
// program instead, the figure is connectctl's.
const rssrunSrc = `package main

import (
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	cmd := exec.Command(os.Args[2], os.Args[3:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil {
		fmt.Fprintln(os.Stderr, "rssrun:", err)
		os.Exit(1)
	}
	rss := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss
	if err := os.WriteFile(os.Args[1], []byte(fmt.Sprintf("%d %d\n", d.Nanoseconds(), rss)), 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "rssrun:", err)
		os.Exit(1)
	}
}
`

func goBuild(dir, name, src string) (string, error) {
	srcDir := filepath.Join(dir, name+"-src")
	if err := os.Mkdir(srcDir, 0o755); err != nil {
		return "", err
	}
	if err := os.WriteFile(filepath.Join(srcDir, "main.go"), []byte(src), 0o644); err != nil {
		return "", err
	}
	out := filepath.Join(dir, name)
	// Built as connectctl is: static and stripped, so that the ratio compares
	// the programs, not the build flags.
	cmd := exec.Command("go", append(append([]string{"build"}, testenv.ReleaseBuildFlags...), "-o", out, "main.go")...)
	cmd.Dir = srcDir
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s: %v\n%s", name, err, msg)
	}
	return out, nil
}

func binaries(b *testing.B) (connectctl, helloWorld string) {
	b.Helper()
	buildOnce.Do(func() {
		buildDir, buildErr = os.MkdirTemp("", "connectctl-bench-")
		if buildErr != nil {
			return
		}
		if bin = os.Getenv("CONNECTCTL_BENCH_BINARY"); bin != "" {
			// An earlier build, to measure before and after in one session
			// (docs/benchmarks.md says how).
			bin, buildErr = filepath.Abs(bin)
		} else {
			bin, buildErr = testenv.BuildRelease(buildDir)
		}
		if buildErr != nil {
			return
		}
		if hello, buildErr = goBuild(buildDir, "hello-world", helloSrc); buildErr != nil {
			return
		}
		if floor, buildErr = testenv.BuildReleasePackage(buildDir, "floor", "./internal/bench/floor"); buildErr != nil {
			return
		}
		rssrun, buildErr = goBuild(buildDir, "rssrun", rssrunSrc)
	})
	if buildErr != nil {
		b.Fatal(buildErr)
	}
	return bin, hello
}

func sandboxEnv(sb *testenv.Sandbox) []string {
	return []string{"CONNECTCTL_BASE_URL=" + sb.URL, "CONNECTCTL_TOKEN_URL=" + sb.TokenURL()}
}

// run runs a program with stdout and stderr on /dev/null (no copying
// goroutine, the same for every program compared) and returns its wall time
// and peak resident set size in KiB. A non-zero exit fails the benchmark.
func run(b *testing.B, env []string, name string, args ...string) (time.Duration, int64) {
	b.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = env
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			// Run again with stderr captured, to say why; output fails.
			output(b, env, name, args...)
		}
		b.Fatalf("%s %v: %v", filepath.Base(name), args, err)
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = int64(ru.Maxrss) // KiB on Linux
	}
	return d, rss
}

// runMeasured runs the program under rssrun and returns its wall time and
// peak RSS in KiB as rssrun measured them.
func runMeasured(b *testing.B, env []string, name string, args ...string) (time.Duration, int64) {
	b.Helper()
	report := filepath.Join(b.TempDir(), "rss")
	run(b, env, rssrun, append([]string{report, name}, args...)...)
	data, err := os.ReadFile(report)
	if err != nil {
		b.Fatal(err)
	}
	var ns, rss int64
	if _, err := fmt.Sscan(string(data), &ns, &rss); err != nil {
		b.Fatalf("rssrun report %q: %v", data, err)
	}
	return time.Duration(ns), rss
}

// output runs the program and returns its stdout; for checks outside the timer.
func output(b *testing.B, env []string, name string, args ...string) string {
	b.Helper()
	cmd := exec.Command(name, args...)
	cmd.Env = env
	var errOut strings.Builder
	cmd.Stderr = &errOut
	out, err := cmd.Output()
	if err != nil {
		b.Fatalf("%s %v: %v\n%s", filepath.Base(name), args, err, errOut.String())
	}
	return string(out)
}

func ms(d time.Duration, n int) float64 { return float64(d) / float64(n) / 1e6 }

// BenchmarkStartup compares start-up commands with a hello-world Go
// program built by the same toolchain in the same run, run alternately.
// ns/op is connectctl's median time per run; start-ratio is the median of
// connectctl over the median of hello-world (goal: at most 2.0). Medians,
// because on a shared machine one descheduled run skews a mean. "floor" runs
// floor/ instead: connectctl's packages linked, nothing done in main.
func BenchmarkStartup(b *testing.B) {
	for _, c := range []struct {
		name  string
		args  []string
		floor bool
	}{
		{"version", []string{"version"}, false},
		{"help", []string{"--help"}, false},
		{"products-help", []string{"products", "--help"}, false},
		{"floor", nil, true},
	} {
		b.Run(c.name, func(b *testing.B) {
			cli, hw := binaries(b)
			if c.floor {
				cli = floor
			}
			env := testenv.CleanEnv(b)
			// Warm the page cache.
			run(b, env, cli, c.args...)
			run(b, env, hw)
			tCLI := make([]time.Duration, 0, b.N)
			tHello := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				d, _ := run(b, env, cli, c.args...)
				tCLI = append(tCLI, d)
				d, _ = run(b, env, hw)
				tHello = append(tHello, d)
			}
			b.StopTimer()
			mCLI, mHello := median(tCLI), median(tHello)
			b.ReportMetric(float64(mCLI), "ns/op")
			b.ReportMetric(ms(mCLI, 1), "connectctl-ms")
			b.ReportMetric(ms(mHello, 1), "hello-ms")
			b.ReportMetric(float64(mCLI)/float64(mHello), "start-ratio")
		})
	}
}

// BenchmarkInit reports the package initialisation before main of
// `connectctl version`, from GODEBUG=inittrace=1: init-ms is the median over
// the iterations of the summed init clock, init-allocs the allocations
// (deterministic; TestInitAllocationBudget in internal/e2e guards them;
// goal: under 500), mod-init-* the same for the packages outside the
// standard library (goal: under 1 ms; the standard library's own init, the
// same in any program that links net/http and crypto/tls, takes 2 to 3 ms
// of traced clock on the benchmark machine).
func BenchmarkInit(b *testing.B) {
	cli, _ := binaries(b)
	env := append(testenv.CleanEnv(b), "GODEBUG=inittrace=1")
	clocks := make([]time.Duration, 0, b.N)
	linkedClocks := make([]time.Duration, 0, b.N)
	var allocs, bytes, linkedAllocs int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		cmd := exec.Command(cli, "version")
		cmd.Env = env
		var errOut strings.Builder
		cmd.Stderr = &errOut
		if err := cmd.Run(); err != nil {
			b.Fatalf("version: %v\n%s", err, errOut.String())
		}
		var clock, linkedClock float64
		allocs, bytes, linkedAllocs = 0, 0, 0
		for _, r := range testenv.ParseInitTrace(errOut.String()) {
			clock += r.ClockMS
			allocs += r.Allocs
			bytes += r.Bytes
			if !testenv.IsStdlib(r.Package) {
				linkedClock += r.ClockMS
				linkedAllocs += r.Allocs
			}
		}
		clocks = append(clocks, time.Duration(clock*1e6))
		linkedClocks = append(linkedClocks, time.Duration(linkedClock*1e6))
	}
	b.StopTimer()
	b.ReportMetric(ms(median(clocks), 1), "init-ms")
	b.ReportMetric(float64(allocs), "init-allocs")
	b.ReportMetric(float64(bytes), "init-bytes")
	// Outside the standard library: connectctl's packages and its modules.
	b.ReportMetric(ms(median(linkedClocks), 1), "mod-init-ms")
	b.ReportMetric(float64(linkedAllocs), "mod-init-allocs")
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// BenchmarkPerCall compares `connectctl products list -o json` with curl
// fetching GET /v1/products with the same access token (the one connectctl
// has cached, printed by `connectctl auth token`) from the same sandbox, run
// alternately. ns/op is connectctl's time per call; call-ratio is
// connectctl / curl (goal: at most 1.5).
func BenchmarkPerCall(b *testing.B) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		b.Skip("SKIPPED: curl is not installed; BenchmarkPerCall needs it as its baseline")
	}
	cli, _ := binaries(b)
	sb := testenv.StartSandbox(b, cli, "--rate-limit", "0")
	env := append(testenv.CleanEnv(b), sandboxEnv(sb)...)
	token := strings.TrimSpace(output(b, env, cli, "auth", "token"))
	if token == "" {
		b.Fatal("connectctl auth token printed nothing")
	}
	curlArgs := []string{"-sS", "-f", "-o", "/dev/null", "-H", "Authorization: Bearer " + token,
		"-H", "Accept: application/json", sb.URL + "/v1/products"}
	// Warm up both, and check connectctl's answer is the whole catalogue.
	if out := output(b, env, cli, "products", "list", "-o", "json"); !strings.Contains(out, "SANDBOX-FAIL") {
		b.Fatalf("products list -o json does not hold the catalogue:\n%.500s", out)
	}
	run(b, env, curl, curlArgs...)
	before := sb.Stats(b).TokenRequests

	var tCLI, tCurl time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		d, _ := run(b, env, cli, "products", "list", "-o", "json")
		tCLI += d
		d, _ = run(b, env, curl, curlArgs...)
		tCurl += d
	}
	b.StopTimer()
	if n := sb.Stats(b).TokenRequests - before; n != 0 {
		b.Errorf("connectctl asked for %d new tokens during the run; the comparison assumes the cached one", n)
	}
	b.ReportMetric(float64(tCLI)/float64(b.N), "ns/op")
	b.ReportMetric(ms(tCLI, b.N), "connectctl-ms")
	b.ReportMetric(ms(tCurl, b.N), "curl-ms")
	b.ReportMetric(float64(tCLI)/float64(tCurl), "call-ratio")
}

// BenchmarkTokenReuse runs `connectctl products list -o json` 100 times in a
// row with a fresh token cache each iteration and counts the token requests
// the sandbox sees. token-requests is per 100 invocations (goal: 1).
func BenchmarkTokenReuse(b *testing.B) {
	const invocations = 100
	cli, _ := binaries(b)
	sb := testenv.StartSandbox(b, cli, "--rate-limit", "0")
	var tokens int
	var total time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		env := append(testenv.CleanEnv(b), sandboxEnv(sb)...) // empty token cache
		before := sb.Stats(b)
		b.StartTimer()
		for j := 0; j < invocations; j++ {
			d, _ := run(b, env, cli, "products", "list", "-o", "json")
			total += d
		}
		b.StopTimer()
		after := sb.Stats(b)
		tokens += after.TokenRequests - before.TokenRequests
		if got := after.APIRequests() - before.APIRequests(); got != invocations {
			b.Fatalf("sandbox saw %d API requests for %d invocations", got, invocations)
		}
		b.StartTimer()
	}
	b.StopTimer()
	b.ReportMetric(float64(tokens)/float64(b.N), "token-requests")
	b.ReportMetric(ms(total, b.N*invocations), "ms/invocation")
}

// BenchmarkSimListAll lists every SIM with `sim list --all -o ndjson` from
// sandboxes seeded with 1,000 and 10,000 SIMs. ns/op is the wall time of one
// listing; peak-RSS-MB is the largest resident set of the connectctl process
// over the iterations, in MB of 10^6 bytes (goal: flat across the two sizes
// and under 50); min-peak-RSS-MB is the smallest of those per-run peaks, to
// show how much they vary from run to run.
func BenchmarkSimListAll(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("sims=%d", n), func(b *testing.B) {
			cli, _ := binaries(b)
			sb := testenv.StartSandbox(b, cli, "--rate-limit", "0")
			sb.Admin(b, "POST", "/_sandbox/sims", map[string]any{"client_id": "sandbox", "count": n}, nil)
			env := append(testenv.CleanEnv(b), sandboxEnv(sb)...)
			args := []string{"sim", "list", "--all", "-o", "ndjson"}
			// Check (untimed) that the listing is complete, and cache the token.
			if lines := countLines(output(b, env, cli, args...)); lines != n {
				b.Fatalf("sim list --all printed %d lines, want %d", lines, n)
			}
			var peak, least int64
			var total time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				d, rss := runMeasured(b, env, cli, args...)
				total += d
				peak = max(peak, rss)
				if least == 0 || rss < least {
					least = rss
				}
			}
			b.StopTimer()
			b.ReportMetric(float64(total)/float64(b.N), "ns/op")
			b.ReportMetric(float64(peak)*1024/1e6, "peak-RSS-MB")
			b.ReportMetric(float64(least)*1024/1e6, "min-peak-RSS-MB")
		})
	}
}

func countLines(s string) int {
	n := 0
	sc := bufio.NewScanner(strings.NewReader(s))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for sc.Scan() {
		if strings.TrimSpace(sc.Text()) != "" {
			n++
		}
	}
	return n
}

// BenchmarkBulkOrders is benchmark 5: 1,000 orders from a file against a
// sandbox allowing 1,000 requests a minute per endpoint (fixed windows, as
// the API's x-rate-limit-reset describes). One iteration is one whole run
// on a fresh sandbox and journal. orders/min is the achieved rate over the
// run's wall time; quota-share is that rate over the quota (goal: at least
// 0.95); posts/order is POST /v1/order requests the sandbox saw per order:
// 1 means no order was ever bounced by a 429 and retried; refused-rows
// must be 0.
func BenchmarkBulkOrders(b *testing.B) {
	const orders, quota = 1000, 1000
	cli, _ := binaries(b)
	var csv strings.Builder
	csv.WriteString("product,email,country,device-type\n")
	for i := 1; i <= orders; i++ {
		fmt.Fprintf(&csv, "qJ+qU2v/9vFgX3rpyPlEV1CihTo96AWUmsQTIZEn/jI=,bulk%04d@example.com,PT,ios\n", i)
	}
	file := filepath.Join(b.TempDir(), "orders.csv")
	if err := os.WriteFile(file, []byte(csv.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	var total time.Duration
	var posts, refused int
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		sb := testenv.StartSandbox(b, cli, "--rate-limit", fmt.Sprint(quota), "--order-delay", "0")
		env := append(testenv.CleanEnv(b), sandboxEnv(sb)...)
		env = append(env, "CONNECTCTL_JOURNAL="+filepath.Join(b.TempDir(), "orders.jsonl"))
		b.StartTimer()
		start := time.Now()
		out := output(b, env, cli, "order", "new", "--from-file", file, "-o", "csv", "--no-headers", "--columns", "result")
		total += time.Since(start)
		b.StopTimer()
		for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
			if line != "ordered" {
				refused++
			}
		}
		st := sb.Stats(b)
		if st.Orders != orders {
			b.Fatalf("the sandbox holds %d orders, want %d", st.Orders, orders)
		}
		posts += st.Requests["POST /v1/order"]
		sb.Stop()
		b.StartTimer()
	}
	b.StopTimer()
	perMin := float64(orders*b.N) / total.Minutes()
	b.ReportMetric(float64(total)/float64(b.N), "ns/op")
	b.ReportMetric(perMin, "orders/min")
	b.ReportMetric(perMin/quota, "quota-share")
	b.ReportMetric(float64(posts)/float64(orders*b.N), "posts/order")
	b.ReportMetric(float64(refused), "refused-rows")
}
