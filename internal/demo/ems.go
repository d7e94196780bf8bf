package demo

import (
	"fmt"

	"github.com/ward-health/ward/internal/inventory"
)

// ems is Rettungsleitstelle Nord, an emergency dispatch centre: CAD servers,
// dispatcher positions, radio gateways, telephony and 40 ambulance tablets.
// Its CAD vendor reaches the CAD servers through a remote-access tool with a
// flaw that CISA lists as exploited.
func ems(l *ladders) Org {
	b := newBuilder("RLN", 2024_11_12, l)
	const (
		it       = "IT operations"
		dispatch = "Duty officer (Tomasz Nowak)"
		medical  = "Medical director EMS"
	)

	pc := product{tag: "WS", kind: "workstation", vendor: "Microsoft", name: win11LT,
		role: clinicalSupport, patientData: true, zone: zoneClients, exposure: internal, patch: byOrg, owner: it}
	for pos := 1; pos <= 14; pos++ {
		b.add(pc, current(ltscOct24), fmt.Sprintf("Dispatcher position %d CAD console", pos), "Dispatch room")
		b.add(pc, current(ltscOct24), fmt.Sprintf("Dispatcher position %d radio and phone console", pos), "Dispatch room")
	}
	b.fleet(4, pc, "Supervisor console", "Dispatch room", all(current(ltscOct24)))
	office := pc
	office.name, office.role, office.patientData = win11, administrative, false
	b.fleet(10, office, "Office PC", "Administration", share(4, current(win11Oct24)), share(1, behind(1, win11Sep24)))
	b.fleet(6, office, "Training room PC", "Training room", all(behind(1, win11Sep24)))

	srv := product{tag: "SRV", kind: "server", vendor: "Microsoft", name: srv2022,
		role: clinicalSupport, patientData: true, zone: zoneServers, exposure: internal, patch: byOrg, owner: it}
	cad := srv
	cad.components = []inventory.Component{{Kind: "application", Vendor: "eurofunk", Name: "eOCS", Version: "2023.2"}}
	b.fleet(2, cad, "CAD application server", "Server room", all(current(srv22Oct24)))
	b.fleet(2, srv, "CAD database server", "Server room", all(current(srv22Oct24)))
	b.add(srv, current(srv22Oct24), "GIS and map server", "Server room")
	b.add(srv, current(srv22Oct24), "Voice recorder server", "Server room")
	b.add(srv, current(srv22Oct24), "Alerting and paging server", "Server room")
	infra := srv
	infra.role, infra.patientData = administrative, false
	b.fleet(2, infra, "Domain controller", "Server room", all(current(srv22Oct24)))
	b.add(infra, current(srv22Oct24), "File server", "Server room")
	backup := srv
	backup.components = []inventory.Component{{Kind: "application", Vendor: "Veeam", Name: "Backup and  Recovery", Version: "12.2.0.334"}}
	b.add(backup, current(srv22Oct24), "Backup server (Veeam)", "Server room")

	// The CAD vendor's remote support runs through ScreenConnect on a jump
	// host the vendor reaches from outside.
	remote := product{tag: "SRV", kind: "remote-access", vendor: "ConnectWise", name: "ScreenConnect",
		role: clinicalSupport, zone: zoneDMZ, exposure: partner, patch: byOrg, owner: it}
	b.add(remote, at("23.9.7"), "CAD vendor remote support (ScreenConnect)", "Server room")

	// Telephony.
	tel := product{tag: "TEL", kind: "telephony", vendor: "Mitel", role: clinicalSupport, zone: zoneServers, exposure: internal, patch: byOrg, owner: it}
	collab := tel
	collab.name, collab.zone, collab.exposure = "MiCollab", zoneDMZ, internet
	collab.cpe = "cpe:2.3:a:mitel:micollab:*:*:*:*:*:*:*:*"
	b.add(collab, at("9.8.1.201"), "Unified communications (MiCollab)", "Server room")
	phone := tel
	phone.kind, phone.name, phone.zone = "ip-phone", "6920 IP Phone", zoneClients
	phone.cpe = "cpe:2.3:o:mitel:6920_sip_firmware:*:*:*:*:*:*:*:*"
	for pos := 1; pos <= 14; pos++ {
		b.add(phone, at("6.4.0.175"), fmt.Sprintf("Dispatcher position %d phone", pos), "Dispatch room")
	}
	b.fleet(10, phone, "Office phone", "Administration", all(at("6.4.0.136")))
	confPhone := phone
	confPhone.name = "6970 Conference Phone"
	confPhone.cpe = "cpe:2.3:o:mitel:6970_conference_firmware:*:*:*:*:*:*:*:*"
	b.add(confPhone, at("6.4.0.136"), "Crisis room conference phone", "Crisis room")

	// Radio: TETRA gateways behind industrial routers.
	radio := product{tag: "RAD", kind: "radio-gateway", vendor: "Airbus", name: "TETRA Connectivity Server",
		role: clinicalSupport, zone: "radio", exposure: internal, patch: byVendor, owner: it}
	b.fleet(4, radio, "TETRA radio gateway", "Radio room", all(at("9.1")))
	moxa := radio
	moxa.kind, moxa.vendor, moxa.name, moxa.patch = "network", "Moxa", "EDR-G903 Series", byOrg
	b.fleet(4, moxa, "Radio network router (Moxa EDR-G903)", "Radio room", share(1, at("5.7.15")), share(1, at("5.7.25")))

	// Ambulance tablets for electronic patient care records, on LTE.
	tablet := product{tag: "TAB", kind: "tablet", vendor: "Apple", name: "iOS and iPadOS",
		role: clinicalSupport, patientData: true, zone: "mobile", exposure: internet, patch: byOrg, owner: medical}
	for i := 1; i <= 40; i++ {
		r := current("17.5")
		if i%4 == 0 { // ambulances that rarely reach the station's Wi-Fi
			r = behind(2, "17.3")
		}
		b.add(tablet, r, fmt.Sprintf("Ambulance RTW %d/83-%d tablet", 1+(i-1)/10, 1+(i-1)%10), "Ambulance stations")
	}

	// Network.
	net := product{tag: "NET", kind: "network", role: clinicalSupport, zone: zoneDMZ, exposure: internet, patch: byOrg, owner: it}
	pan := net
	pan.vendor, pan.name, pan.model = "Palo Alto Networks", "PAN-OS", "PA-1410"
	b.fleet(2, pan, "Internet firewall (PA-1410)", "Server room", all(at("10.2.10")))
	vpn := pan
	vpn.model, vpn.exposure = "PA-440", partner
	b.add(vpn, at("10.2.10"), "VPN to neighbouring centres and hospitals (PA-440)", "Server room")
	sw := net
	sw.vendor, sw.name, sw.model, sw.zone, sw.exposure = "Cisco", "Cisco IOS XE Software", "Catalyst 9300", zoneClients, internal
	b.fleet(8, sw, "Switch", "Server room", all(at("17.9.5")))

	printer := product{tag: "PRN", kind: "printer", vendor: "HP", name: "LaserJet Enterprise M507",
		role: clinicalSupport, zone: zoneClients, exposure: internal, patch: byOrg, owner: dispatch}
	b.fleet(3, printer, "Dispatch room printer", "Dispatch room", all(at("2506116_068525")))

	return Org{Name: "Rettungsleitstelle Nord", Kind: KindEMS, Country: "DE", Assets: b.assets}
}
