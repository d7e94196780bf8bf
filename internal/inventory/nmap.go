package inventory

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"slices"
	"strings"
)

// maxPorts caps the ports of one scanned host: every TCP and UDP port.
const maxPorts = 2 * 65536

// The kinds ward gives hosts whose open ports suggest a clinical system.
const (
	// KindImaging marks a host speaking DICOM: a modality, PACS or viewer.
	KindImaging = "imaging-or-pacs"
	// KindHL7 marks a host speaking HL7 v2 over MLLP: an interface engine, LIS,
	// RIS or HIS.
	KindHL7 = "hl7-interface"
)

// The parts of nmap's XML output (nmap.dtd) that ward reads.
type (
	nmapHost struct {
		Status struct {
			State string `xml:"state,attr"`
		} `xml:"status"`
		Addresses []struct {
			Addr   string `xml:"addr,attr"`
			Type   string `xml:"addrtype,attr"`
			Vendor string `xml:"vendor,attr"`
		} `xml:"address"`
		Hostnames []struct {
			Name string `xml:"name,attr"`
		} `xml:"hostnames>hostname"`
		Ports     []nmapPort    `xml:"ports>port"`
		OSMatches []nmapOSMatch `xml:"os>osmatch"`
	}
	nmapPort struct {
		Protocol string `xml:"protocol,attr"`
		PortID   int    `xml:"portid,attr"`
		State    struct {
			State string `xml:"state,attr"`
		} `xml:"state"`
		Service struct {
			Name    string   `xml:"name,attr"`
			Product string   `xml:"product,attr"`
			Version string   `xml:"version,attr"`
			CPEs    []string `xml:"cpe"`
		} `xml:"service"`
	}
	nmapOSMatch struct {
		Name     string        `xml:"name,attr"`
		Accuracy int           `xml:"accuracy,attr"`
		Classes  []nmapOSClass `xml:"osclass"`
	}
	nmapOSClass struct {
		Type     string   `xml:"type,attr"`
		Vendor   string   `xml:"vendor,attr"`
		Family   string   `xml:"osfamily,attr"`
		Gen      string   `xml:"osgen,attr"`
		Accuracy int      `xml:"accuracy,attr"`
		CPEs     []string `xml:"cpe"`
	}
	nmapFinished struct {
		Exit     string `xml:"exit,attr"`
		ErrorMsg string `xml:"errormsg,attr"`
	}
)

// readNmap reads nmap's XML output (nmap -oX).
//
// Every host whose status is up (or that has no status) becomes an asset:
//
//   - id: its first IPv4 address, else IPv6, else MAC address, as written by
//     nmap ("10.0.0.5"), with no prefix, so that it reads as the address people
//     search for; a host listed twice (two names for one address) is kept once;
//   - name: its first host name;
//   - vendor, product, version and cpe: the most accurate OS class of the most
//     accurate OS match (osclass vendor, osfamily, osgen, cpe); kind its device
//     type ("general-purpose", "printer", ...); Attributes["os"] the match;
//   - Services: its open ports; each service with a product or a CPE is also a
//     component (kind from the CPE part: application, operating-system or
//     device) so that advisories match it;
//   - Attributes["mac"] and ["mac_vendor"] from its MAC address.
//
// A host speaking DICOM (service dicom or acr-nema, or ports 104, 11112, 2761,
// 2762 with no other service named) gets kind [KindImaging]; one speaking HL7
// (service hl7, or port 2575) kind [KindHL7]. Both get clinical role
// clinical-support, and a notice asks the user to confirm it.
//
// Hosts with neither OS nor service identification cannot be matched; they are
// skipped and named in a notice. When nmap reports an error (runstats/finished
// errormsg or exit="error") the hosts found are still read, with a notice; if
// there are none, the error is [ErrScanFailed].
func readNmap(ctx context.Context, name string, data []byte) (*Result, error) {
	r := bytes.NewReader(data)
	d := xml.NewDecoder(r)
	res := &Result{}
	var (
		ids          identifiers
		seen         = make(map[string]int) // asset id -> line
		unidentified []string
		finished     nmapFinished
		finishedLine int
		depth        int
	)
	for {
		tok, err := d.Token()
		if err != nil {
			return nil, decodeError(name, data, err)
		}
		if _, ok := tok.(xml.EndElement); ok {
			if depth--; depth == 0 {
				break // the end of nmaprun
			}
			continue
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		if depth++; depth == 1 {
			continue // nmaprun
		}
		depth-- // DecodeElement and Skip consume the element's end
		line, _ := d.InputPos()
		switch se.Name.Local {
		case "host":
			if len(seen)+len(unidentified) >= maxItems {
				return nil, &ParseError{File: name, Line: line, Err: fmt.Errorf("%w: more than %d hosts", ErrTooLarge, maxItems)}
			}
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			var h nmapHost
			if err := d.DecodeElement(&h, &se); err != nil {
				return nil, decodeError(name, data, err)
			}
			if h.Status.State != "" && h.Status.State != "up" {
				continue
			}
			a, notice, err := h.asset(name, line, &ids)
			if err != nil {
				return nil, err
			}
			if first, dup := seen[a.ID]; dup {
				res.Notices = append(res.Notices, fmt.Sprintf("host %s on line %d repeats the host on line %d; kept the first", a.ID, line, first))
				continue
			}
			if a.Validate() != nil {
				unidentified = append(unidentified, a.ID)
				continue
			}
			seen[a.ID] = line
			res.Assets = append(res.Assets, a)
			if notice != "" {
				res.Notices = append(res.Notices, notice)
			}
		case "runstats":
			var rs struct {
				Finished nmapFinished `xml:"finished"`
			}
			if err := d.DecodeElement(&rs, &se); err != nil {
				return nil, decodeError(name, data, err)
			}
			finished, finishedLine = rs.Finished, line
		default:
			if err := d.Skip(); err != nil {
				return nil, decodeError(name, data, err)
			}
		}
	}
	if err := checkXMLEnd(name, data, r); err != nil {
		return nil, err
	}
	if finished.ErrorMsg != "" || finished.Exit == "error" {
		msg := firstNonEmpty(finished.ErrorMsg, "exit=error")
		if len(res.Assets) == 0 && len(unidentified) == 0 {
			return nil, &ParseError{File: name, Line: finishedLine, Err: fmt.Errorf("%w: %s", ErrScanFailed, msg)}
		}
		res.Notices = append(res.Notices, fmt.Sprintf("nmap reported an error, the scan may be incomplete: %s", msg))
	}
	if len(res.Assets) == 0 && len(unidentified) == 0 {
		res.Notices = append(res.Notices, "the scan found no hosts up")
	}
	if len(unidentified) > 0 {
		res.Notices = append(res.Notices, fmt.Sprintf("%d hosts up but with no OS or service identification skipped (%s); scan them with nmap -sV -O",
			len(unidentified), strings.Join(unidentified[:min(len(unidentified), 10)], ", ")))
	}
	if n := ids.notice(); n != "" {
		res.Notices = append(res.Notices, n)
	}
	return res, nil
}

// asset returns h as an asset, and a notice when it looks clinical. The asset
// may lack an identity; the caller checks.
func (h *nmapHost) asset(name string, line int, ids *identifiers) (Asset, string, error) {
	a := Asset{Source: fmt.Sprintf("%s:%d", name, line)}
	var ip4, ip6, mac, macVendor string
	for _, ad := range h.Addresses {
		addr := strings.TrimSpace(ad.Addr)
		switch ad.Type {
		case "", "ipv4": // the DTD's default is ipv4
			ip4 = firstNonEmpty(ip4, addr)
		case "ipv6":
			ip6 = firstNonEmpty(ip6, addr)
		case "mac":
			if mac == "" {
				mac, macVendor = addr, strings.TrimSpace(ad.Vendor)
			}
		}
	}
	a.setAttr("mac", mac)
	a.setAttr("mac_vendor", macVendor)
	a.ID = firstNonEmpty(ip4, ip6, mac)
	if a.ID == "" {
		return a, "", &ParseError{File: name, Line: line, Column: "address", Err: fmt.Errorf("host: %w", ErrRequired)}
	}
	if len(h.Hostnames) > 0 {
		a.Name = strings.TrimSpace(h.Hostnames[0].Name)
	}
	if m, c := h.bestOS(); c != nil {
		a.Vendor, a.Product, a.Version = strings.TrimSpace(c.Vendor), strings.TrimSpace(c.Family), strings.TrimSpace(c.Gen)
		a.Kind = strings.ReplaceAll(strings.ToLower(strings.TrimSpace(c.Type)), " ", "-")
		if len(c.CPEs) > 0 {
			a.CPE = ids.keep(m.Name, strings.TrimSpace(c.CPEs[0]), checkCPE)
		}
		a.setAttr("os", fmt.Sprintf("%s (%d%%)", strings.TrimSpace(m.Name), m.Accuracy))
	}
	if len(h.Ports) > maxPorts {
		return a, "", &ParseError{File: name, Line: line, Err: fmt.Errorf("%w: more than %d ports", ErrTooLarge, maxPorts)}
	}
	var clinical string
	for _, p := range h.Ports {
		if p.State.State != "open" {
			continue
		}
		if p.PortID < 0 || p.PortID > 65535 {
			return a, "", &ParseError{File: name, Line: line, Column: "portid", Err: fmt.Errorf("%d: %w", p.PortID, ErrInvalid)}
		}
		s := Service{
			Port:     p.PortID,
			Protocol: strings.TrimSpace(p.Protocol),
			Name:     strings.TrimSpace(p.Service.Name),
			Product:  strings.TrimSpace(p.Service.Product),
			Version:  strings.TrimSpace(p.Service.Version),
		}
		if len(p.Service.CPEs) > 0 {
			s.CPE = ids.keep(s.Product, strings.TrimSpace(p.Service.CPEs[0]), checkCPE)
		}
		a.Services = append(a.Services, s)
		if c := serviceComponent(s); c.Name != "" && !slices.Contains(a.Components, c) {
			a.Components = append(a.Components, c)
		}
		if kind, proto := clinicalService(s); kind != "" && clinical == "" {
			a.Kind, a.ClinicalRole = kind, RoleClinicalSupport
			clinical = fmt.Sprintf("host %s: %s on port %d/%s: marked %s, kind %s; please confirm its clinical role",
				a.ID, proto, s.Port, s.Protocol, RoleClinicalSupport, kind)
		}
	}
	return a, clinical, nil
}

// bestOS returns the most accurate OS class of the most accurate OS match
// that has one; the first wins ties, as nmap lists the likeliest first.
func (h *nmapHost) bestOS() (*nmapOSMatch, *nmapOSClass) {
	var bm *nmapOSMatch
	var bc *nmapOSClass
	for i := range h.OSMatches {
		m := &h.OSMatches[i]
		for j := range m.Classes {
			c := &m.Classes[j]
			if strings.TrimSpace(c.Vendor) == "" || strings.TrimSpace(c.Family) == "" {
				continue
			}
			if bm == nil || m.Accuracy > bm.Accuracy || (m == bm && c.Accuracy > bc.Accuracy) {
				bm, bc = m, c
			}
		}
	}
	return bm, bc
}

// serviceComponent returns the component a service identifies, or one with no
// name when it identifies none.
func serviceComponent(s Service) Component {
	c := Component{Kind: "application", Name: firstNonEmpty(s.Product, cpeField(s.CPE, 2)), Version: s.Version, CPE: s.CPE, Vendor: cpeField(s.CPE, 1)}
	switch cpeField(s.CPE, 0) {
	case "o":
		c.Kind = "operating-system"
	case "h":
		c.Kind = "device"
	}
	return c
}

// clinicalService returns the kind and protocol of a service that suggests a
// clinical system. A well-known port counts only when nmap named no other
// service on it.
func clinicalService(s Service) (kind, protocol string) {
	unnamed := s.Name == "" || s.Name == "unknown"
	switch {
	case strings.HasPrefix(s.Name, "dicom") || s.Name == "acr-nema" ||
		unnamed && slices.Contains([]int{104, 11112, 2761, 2762}, s.Port):
		return KindImaging, "DICOM"
	case strings.HasPrefix(s.Name, "hl7") || unnamed && s.Port == 2575:
		return KindHL7, "HL7"
	}
	return "", ""
}

// setAttr sets a.Attributes[k] to a non-empty v.
func (a *Asset) setAttr(k, v string) {
	if v == "" {
		return
	}
	if a.Attributes == nil {
		a.Attributes = make(map[string]string)
	}
	a.Attributes[k] = v
}
