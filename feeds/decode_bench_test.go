package feeds

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkDecode measures the decoder against the targets:
// json4 ≥ 2M objects/s on one core with 0 allocs, compared with the
// encoding/json map+walk baseline run in the same process; and a
// node-exporter-sized Prometheus page.
func BenchmarkDecode(b *testing.B) {
	msg := Message{Data: []byte(json4), Time: arrival}

	b.Run("json4", func(b *testing.B) {
		var d Decoder
		d.Decode(msg) // intern the names: steady state
		b.ReportAllocs()
		b.SetBytes(int64(len(msg.Data)))
		b.ResetTimer()
		for range b.N {
			if r := d.Decode(msg); len(r.Samples) != 4 {
				b.Fatalf("got %d samples", len(r.Samples))
			}
		}
		ours := float64(b.N) / b.Elapsed().Seconds()
		b.StopTimer()
		b.ReportMetric(ours, "objs/s")
		b.ReportMetric(ours/encodingJSONRate(min(b.N, 200000)), "x-encoding-json")
	})

	b.Run("json4-encoding-json", benchEncodingJSON)

	b.Run("text", func(b *testing.B) {
		m := Message{Data: []byte("cpu=12.5 mem=4123456 load=0.42"), Time: arrival}
		var d Decoder
		d.Decode(m)
		b.ReportAllocs()
		b.ResetTimer()
		for range b.N {
			d.Decode(m)
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msgs/s")
	})

	b.Run("prometheus", func(b *testing.B) {
		page := nodeExporterPage()
		m := Message{Data: page, ContentType: promText004, Time: arrival}
		var d Decoder
		n := len(d.Decode(m).Samples)
		if n < 900 || len(d.res.Texts) != 0 {
			b.Fatalf("page gave %d samples, texts %v", n, d.res.Texts)
		}
		b.ReportAllocs()
		b.SetBytes(int64(len(page)))
		b.ResetTimer()
		for range b.N {
			d.Decode(m)
		}
		b.ReportMetric(float64(b.N*n)/b.Elapsed().Seconds(), "samples/s")
		b.ReportMetric(float64(n), "samples/page")
	})
}

// baselineSamples is what the baseline produces, kept so the compiler
// cannot drop the work.
var baselineSamples []Sample

// benchEncodingJSON is the baseline: encoding/json into a map, then a walk
// that builds the same dotted names and finds the time field.
func benchEncodingJSON(b *testing.B) {
	data := []byte(json4)
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for range b.N {
		var v map[string]any
		if err := json.Unmarshal(data, &v); err != nil {
			b.Fatal(err)
		}
		baselineSamples = walkBaseline(baselineSamples[:0], "", v, arrival)
		if ts, ok := v["ts"].(float64); ok {
			t := time.UnixMilli(int64(ts))
			for i := range baselineSamples {
				baselineSamples[i].Time = t
			}
		}
	}
	if len(baselineSamples) != 4 {
		b.Fatalf("baseline found %d samples", len(baselineSamples))
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "objs/s")
}

func walkBaseline(out []Sample, path string, v any, t time.Time) []Sample {
	join := func(k string) string {
		if path == "" {
			return k
		}
		return path + "." + k
	}
	switch v := v.(type) {
	case map[string]any:
		for k, x := range v {
			if path == "" && k == "ts" {
				continue
			}
			out = walkBaseline(out, join(k), x, t)
		}
	case []any:
		for i, x := range v {
			out = walkBaseline(out, join(strconv.Itoa(i)), x, t)
		}
	case float64:
		out = append(out, Sample{Series: path, Time: t, Value: v})
	}
	return out
}

// encodingJSONRate times the baseline in objects/s. (testing.Benchmark
// cannot be used here: it would wait on the lock the running benchmark
// holds.)
func encodingJSONRate(n int) float64 {
	data := []byte(json4)
	start := time.Now()
	for range n {
		var v map[string]any
		if err := json.Unmarshal(data, &v); err != nil {
			panic(err)
		}
		baselineSamples = walkBaseline(baselineSamples[:0], "", v, arrival)
	}
	return float64(n) / time.Since(start).Seconds()
}

// nodeExporterPage builds, deterministically, a page shaped like node
// exporter's: ~1,000 samples of gauges, counters with labels, a histogram
// and a summary.
func nodeExporterPage() []byte {
	var b strings.Builder
	fam := func(name, typ string) {
		fmt.Fprintf(&b, "# HELP %s Synthetic %s for the benchmark.\n# TYPE %s %s\n", name, typ, name, typ)
	}
	fam("node_cpu_seconds_total", "counter")
	modes := []string{"idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"}
	for cpu := range 32 {
		for i, mode := range modes {
			fmt.Fprintf(&b, "node_cpu_seconds_total{cpu=\"%d\",mode=\"%s\"} %d.%02d\n", cpu, mode, 1000*cpu+37*i, cpu+i)
		}
	}
	for _, f := range []string{"reads_completed", "writes_completed", "read_bytes", "written_bytes", "io_time_seconds"} {
		name := "node_disk_" + f + "_total"
		fam(name, "counter")
		for _, dev := range []string{"sda", "sdb", "nvme0n1", "nvme1n1"} {
			fmt.Fprintf(&b, "%s{device=\"%s\"} %d\n", name, dev, len(name)*len(dev)*1000)
		}
	}
	for i := range 325 {
		name := fmt.Sprintf("node_memory_field%03d_bytes", i)
		fam(name, "gauge")
		fmt.Fprintf(&b, "%s %d\n", name, i*4096)
	}
	fam("node_network_receive_bytes_total", "counter")
	for i := range 200 {
		fmt.Fprintf(&b, "node_network_receive_bytes_total{device=\"veth%04d\"} %de+06\n", i, i+1)
	}
	fam("node_filesystem_avail_bytes", "gauge")
	for i := range 150 {
		fmt.Fprintf(&b, "node_filesystem_avail_bytes{device=\"/dev/loop%d\",fstype=\"squashfs\",mountpoint=\"/snap/app%d\"} %d\n", i, i, i*512)
	}
	fam("http_request_duration_seconds", "histogram")
	for _, h := range []string{"/", "/metrics", "/api"} {
		for _, le := range []string{"0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "10", "+Inf"} {
			fmt.Fprintf(&b, "http_request_duration_seconds_bucket{handler=\"%s\",le=\"%s\"} %d\n", h, le, len(le)*len(h))
		}
		fmt.Fprintf(&b, "http_request_duration_seconds_sum{handler=\"%s\"} 12.5\n", h)
		fmt.Fprintf(&b, "http_request_duration_seconds_count{handler=\"%s\"} 60\n", h)
	}
	fam("go_gc_duration_seconds", "summary")
	for _, q := range []string{"0", "0.25", "0.5", "0.75", "1"} {
		fmt.Fprintf(&b, "go_gc_duration_seconds{quantile=\"%s\"} 0.000%s1\n", q, strings.ReplaceAll(q, ".", ""))
	}
	b.WriteString("go_gc_duration_seconds_sum 0.5\ngo_gc_duration_seconds_count 1000\n")
	return []byte(b.String())
}
