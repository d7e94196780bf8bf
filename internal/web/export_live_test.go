package web

import (
	"context"
	"time"

	"github.com/ward-health/ward/internal/store"
)

// SetHeartbeatForTest sets how often event streams send a heartbeat.
func (s *Server) SetHeartbeatForTest(d time.Duration) { s.heartbeat = d }

// RescanForTest runs the web interface's rescan of org.
func (s *Server) RescanForTest(ctx context.Context, org string) (store.SyncCounts, error) {
	return s.rescan(ctx, org)
}
