package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/ward-health/ward/internal/match"
	"github.com/ward-health/ward/internal/risk"
	"github.com/ward-health/ward/internal/store"
	"github.com/ward-health/ward/internal/vexdoc"
)

// vexStatements turns org's findings into VEX statements: not_affected
// findings say not affected (with their justification and reason),
// resolved ones fixed, live confirmed ones affected (with their action),
// and live possible ones under investigation.
func (s *Server) vexStatements(ctx context.Context, org string) ([]vexdoc.Statement, error) {
	var out []vexdoc.Statement
	assets := map[string]vexdoc.Product{}
	opts := store.ListOptions{Limit: store.MaxLimit}
	for {
		page, err := s.store.ListFindings(ctx, org, store.FindingFilter{}, opts)
		if err != nil {
			return nil, err
		}
		for i := range page.Items {
			f := &page.Items[i]
			p, ok := assets[f.Key.AssetID]
			if !ok {
				a, err := s.store.Asset(ctx, org, f.Key.AssetID)
				switch {
				case err == nil:
					p = vexdoc.Product{AssetID: a.Asset.ID, Name: a.Asset.Name, CPE: a.Asset.CPE, PURL: a.Asset.PURL}
				case errors.Is(err, store.ErrNotFound):
					p = vexdoc.Product{AssetID: f.Key.AssetID, Name: f.Item.AssetName} // deleted since
				default:
					return nil, err
				}
				if p.Name == "" {
					p.Name = p.AssetID
				}
				if f.Item.Product != "" {
					p.Name += " (" + f.Item.Product + ")"
				}
				assets[f.Key.AssetID] = p
			}
			p.Component = f.Key.Component
			st := vexdoc.Statement{CVE: f.Key.VulnID, AdvisoryID: f.Key.AdvisoryID, Title: f.Item.AdvisoryTitle,
				Product: p, Timestamp: f.UpdatedAt}
			switch {
			case f.State == store.StateNotAffected:
				st.Status, st.Justification, st.Impact = vexdoc.NotAffected, string(f.Justification), f.Reason
			case f.State == store.StateResolved:
				st.Status = vexdoc.Fixed
			case f.Item.Confidence == match.Possible:
				st.Status = vexdoc.UnderInvestigation
			default:
				st.Status, st.Action = vexdoc.Affected, f.Item.Action
				st.Mitigation = f.State == store.StateMitigated || f.State == store.StateRiskAccepted ||
					f.Item.ActionKind == risk.ActMitigate || f.Item.ActionKind == risk.ActRingFence
			}
			out = append(out, st)
		}
		if page.Next == "" {
			return out, nil
		}
		opts.Cursor = page.Next
	}
}

// vexMeta describes the organisation's VEX documents.
func (s *Server) vexMeta(r *http.Request, sess *session) vexdoc.Meta {
	scheme := "http"
	if r.TLS != nil || s.secure {
		scheme = "https"
	}
	return vexdoc.Meta{Namespace: scheme + "://" + r.Host, Publisher: sess.OrgName, OrgID: sess.OrgID, Now: s.now()}
}

// download writes v as an indented JSON download named name.
func (s *Server) download(w http.ResponseWriter, r *http.Request, name string, v any) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Write(append(b, '\n')) //nolint:errcheck // the client went away
}

func (s *Server) openVEX(w http.ResponseWriter, r *http.Request, sess *session) {
	stmts, err := s.vexStatements(r.Context(), sess.OrgID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	doc, err := vexdoc.OpenVEX(s.vexMeta(r, sess), stmts)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.download(w, r, "openvex.json", doc)
}

func (s *Server) csafVEX(w http.ResponseWriter, r *http.Request, sess *session) {
	stmts, err := s.vexStatements(r.Context(), sess.OrgID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	doc, err := vexdoc.CSAF(s.vexMeta(r, sess), stmts)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err == nil {
		err = vexdoc.CheckCSAF(b) // never serve a document that breaks the profile
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.download(w, r, "csaf-vex.json", json.RawMessage(b))
}
