package csv_test

import (
	"io"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	erpcsv "github.com/omnibasket/omnibasket/adapters/csv"
	"github.com/omnibasket/omnibasket/stock"
)

// stockFile generates a stock CSV file of n rows on the fly: it never holds
// more than one row.
type stockFile struct {
	n, i int
	buf  []byte
}

func (f *stockFile) Read(p []byte) (int, error) {
	if len(f.buf) == 0 {
		switch {
		case f.i == 0:
			f.buf = append(f.buf, "sku;location;on_hand;reserved;next_arrival\n"...)
		case f.i > f.n:
			return 0, io.EOF
		default:
			f.buf = append(f.buf, "SKU-"...)
			f.buf = strconv.AppendInt(f.buf, int64(f.i/8), 10)
			f.buf = append(f.buf, ";store-"...)
			f.buf = strconv.AppendInt(f.buf, int64(f.i%8), 10)
			f.buf = append(f.buf, ';')
			f.buf = strconv.AppendInt(f.buf, int64(f.i%50), 10)
			f.buf = append(f.buf, ";1;"...)
			if f.i%10 == 0 {
				f.buf = append(f.buf, "2026-12-01"...)
			}
			f.buf = append(f.buf, '\n')
		}
		f.i++
	}
	n := copy(p, f.buf)
	f.buf = f.buf[:copy(f.buf, f.buf[n:])]
	return n, nil
}

// bigRows is the size of the generated file. The test takes about 0.5 s,
// and 3 s under the race detector, so the size is the same under -race.
const bigRows = 1_000_000

// TestMillionRowsInBoundedMemory streams a generated stock file of a
// million rows (25 MB) and checks that the heap stays small: the peak is
// sampled every 10 ms and at every progress report.
func TestMillionRowsInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("large file: skipped under -short")
	}
	const heapBound = 32 << 20
	runtime.GC()
	var peak atomic.Uint64
	sample := func() {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		if ms.HeapAlloc > peak.Load() {
			peak.Store(ms.HeapAlloc)
		}
	}
	sample()
	done := make(chan struct{})
	sampled := make(chan struct{})
	go func() { // sample the heap while the load runs
		defer close(sampled)
		tick := time.NewTicker(10 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-done:
				return
			case <-tick.C:
				sample()
			}
		}
	}()
	start := time.Now()
	var rows, onHand int64
	var last erpcsv.Progress
	err := erpcsv.ForEachStock(ctx, &stockFile{n: bigRows}, erpcsv.Options{
		File:          "generated.csv",
		ProgressEvery: 100_000,
		Progress: func(p erpcsv.Progress) {
			last = p
			sample()
		},
	}, func(l stock.Level) error {
		rows++
		onHand += l.OnHand
		return nil
	})
	elapsed := time.Since(start)
	close(done)
	<-sampled
	if err != nil {
		t.Fatal(err)
	}
	var wantOnHand int64
	for i := 1; i <= bigRows; i++ {
		wantOnHand += int64(i % 50)
	}
	if rows != bigRows || onHand != wantOnHand || !last.Done || last.Rows != bigRows {
		t.Fatalf("%d rows (on hand %d), want %d (%d); last progress %+v", rows, onHand, bigRows, wantOnHand, last)
	}
	t.Logf("%d rows, %.1f MB, in %s; peak heap %.1f MiB", rows, float64(last.Bytes)/1e6, elapsed.Round(time.Millisecond), float64(peak.Load())/(1<<20))
	if p := peak.Load(); p > heapBound {
		t.Fatalf("peak heap %d bytes, above the %d bound", p, heapBound)
	}
}
