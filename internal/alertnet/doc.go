// Package alertnet is the transport of ward's early-warning network: it
// carries signed alert envelopes from the hub (the support centre) to the
// sites (the hospitals) and exposure reports from the sites back to the hub,
// over NATS JetStream. It moves bytes reliably and with the right
// permissions; it neither verifies signatures nor stores alerts, which the
// caller does with package [alert].
//
// # Streams and subjects
//
// With the default prefix "ward" (configurable, so that tests on a shared
// server do not collide):
//
//	stream WARD_ALERTS   subjects ward.alerts.>
//	  ward.alerts.all          alerts for everyone, and alerts targeted by
//	                           kind or country (relevance, not secrecy: each
//	                           site filters with alert.(*Alert).For), and
//	                           the hub's key announcements ([Hub.Announce])
//	  ward.alerts.org.<org>    one copy per named organisation of a restricted
//	                           alert (TLP:RED, TLP:AMBER+STRICT), so only that
//	                           organisation can ever receive it
//	  republished live to ward.live.alerts.all and ward.live.alerts.org.<org>
//	stream WARD_REPORTS  subjects ward.reports.>
//	  ward.reports.<org>       a site's exposure reports
//
// WARD_ALERTS keeps messages by limits (age, default 365 days; count; bytes)
// on file storage and drops duplicates by Nats-Msg-Id (the alert id, plus
// "/" and the organisation for per-organisation copies) within a 24-hour
// window, so the hub may retry a publication after a crash. Organisation
// ids travel in subjects, so they must be NATS-token-safe: [A-Za-z0-9_-],
// at most 64 characters.
//
// # Live delivery and catch-up
//
// A durable consumer per site does not scale to 10,000–500,000 sites: each
// is server state, replicated and tracked. Instead the alert stream
// republishes every stored message to the matching ward.live subject with
// the headers Nats-Sequence (its stream sequence) and Nats-Last-Sequence
// (the previous sequence on the same subject, as both 2.9.10 and 2.15.3 set it). A site holds
// only two plain subscriptions, and the server keeps no per-site state.
//
// When a site connects (and after every reconnect) it first subscribes live
// and buffers, then reads the stream from its cursor+1 with two short-lived
// ephemeral pull consumers (acknowledgement none, deleted afterwards), one
// per subject it may read: a single consumer with two filters would have to
// be created through an API subject that does not carry its filters, so
// permissions could not restrict it. Each consumer reads its subject in
// order, so the two are merged by sequence: after the organisation consumer
// was read to its end, everything up to the last sequence read from the
// broadcast consumer is complete and goes to the Sink; then the broadcast
// consumer reads its next batch. When that batch is empty, everything read
// was stored before the organisation consumer's last end and everything
// stored before then was read: a cut in stream order, delivered in full.
// Then come the buffered and further live messages, skipping sequences at
// or below the cursor. A live message whose Nats-Last-Sequence is above
// the cursor shows that one was lost (slow consumer, reconnect) and starts
// a catch-up. Each message thus reaches the Sink exactly once per sequence
// and in stream order, as long as the caller stores the sequence with the
// alert in one transaction and passes it back as [SiteConfig.Cursor]. A
// Sink error stops delivery until the next catch-up (reconnect, or a
// back-off of one to thirty seconds).
//
// # Reports
//
// A site publishes with a JetStream acknowledgement only to
// ward.reports.<own org>, with a message id of the caller's choosing. The
// hub reads all reports with one durable consumer named "hub" and
// acknowledges each after its handler succeeded; the organisation is taken
// from the subject, which the server's permissions vouch for, never from
// the payload.
//
// # Authentication and permissions
//
// With the embedded server every site is an NKey user: the site makes its
// key pair ([NewSiteKey]) and only the public key reaches the hub. Site
// permissions, with S the alert stream name, P the prefix and O the site's
// organisation:
//
//	subscribe  P.live.alerts.all, P.live.alerts.org.O, _INBOX_O.>
//	publish    P.reports.O
//	           $JS.API.CONSUMER.CREATE.S.*.P.alerts.all
//	           $JS.API.CONSUMER.CREATE.S.*.P.alerts.org.O
//	           $JS.API.CONSUMER.MSG.NEXT.S.*
//	           $JS.API.CONSUMER.DELETE.S.*
//
// Sites use the reply prefix _INBOX_O, so no site can listen to the replies
// meant for another. The consumer-create subject names the filter (NATS ≥
// 2.9), so a site can create consumers on its own subjects only; it can pull
// from and delete only consumers whose random names it knows. It cannot publish alerts,
// read reports, list consumers or read stream information (which would name
// the organisations that received restricted alerts). The hub is a user
// with full rights. [Hub.AddSite] and [Hub.RevokeSite] change the users by
// reloading the server's options, and a revoked site is disconnected.
//
// A revoked site's connection is closed by the server; the client gives
// up after the second refusal, and [Site.Done] and [Site.Err] say so.
//
// With an external NATS server ([HubConfig.URL]) the hub only connects and
// makes sure the streams exist; the operator then configures the same users
// and permissions on that server (AddSite and RevokeSite return
// [ErrExternal]). Tested against nats-server 2.9.10 (Debian) and the
// embedded 2.15.3.
//
// # Limits
//
// A site may create consumers on its own subjects without limit, which costs
// the server memory until they idle out after 30 seconds; the server's
// account limits are the place to cap that. The organisation subject's
// backlog is held in memory during a catch-up (the broadcast subject is read
// in batches of 256). Deduplication of publications and reports covers 24
// hours. The live buffer holds 8192 messages; beyond that the site falls
// back to a catch-up.
package alertnet
