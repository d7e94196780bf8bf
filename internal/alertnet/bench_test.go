package alertnet

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ward-health/ward/internal/alert"
)

// BenchmarkFanout measures one alert from Publish until all 200 sites'
// Sinks have it, over real TCP connections to the embedded server.
func BenchmarkFanout(b *testing.B) {
	const sites = 200
	hubSeed, _, err := NewSiteKey()
	if err != nil {
		b.Fatal(err)
	}
	seeds := make([][]byte, sites)
	auth := make([]SiteAuth, sites)
	for i := range sites {
		seed, pub, err := NewSiteKey()
		if err != nil {
			b.Fatal(err)
		}
		seeds[i], auth[i] = seed, SiteAuth{OrgID: fmt.Sprintf("site-%d", i), PublicKey: pub}
	}
	ctx := b.Context()
	h, err := StartHub(ctx, HubConfig{Dir: b.TempDir(), Listen: "127.0.0.1:0", HubSeed: hubSeed, Sites: auth})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	var received atomic.Int64
	all := make(chan struct{}, 1)
	var want atomic.Int64
	for i := range sites {
		s, err := ConnectSite(ctx, SiteConfig{URL: h.ClientURL(), OrgID: auth[i].OrgID, Seed: seeds[i],
			Sink: func(context.Context, Delivery) error {
				if received.Add(1) == want.Load() {
					all <- struct{}{}
				}
				return nil
			}})
		if err != nil {
			b.Fatal(err)
		}
		defer s.Close()
	}
	a := &alert.Alert{TLP: alert.TLPClear}
	for i := 0; b.Loop(); i++ {
		want.Add(sites)
		a.ID = fmt.Sprintf("bench-%d", i)
		if _, err := h.Publish(ctx, a, []byte(`{"key_id":"k","payload":"e30=","signature":""}`)); err != nil {
			b.Fatal(err)
		}
		select {
		case <-all:
		case <-time.After(time.Minute):
			b.Fatalf("only %d of %d deliveries", received.Load(), want.Load())
		}
	}
	b.ReportMetric(float64(received.Load())/b.Elapsed().Seconds(), "deliveries/s")
}
