package demo

// practice is Praxis Dr. Weber, a two-doctor practice with no IT staff: six
// PCs, a practice management system, an ECG cart, a printer, card readers,
// Wi-Fi, a NAS, and a DrayTek router whose firmware has a flaw that CISA
// lists as exploited: the one thing to do today.
func practice(l *ladders) Org {
	b := newBuilder("PDW", 2024_11_04, l)
	const owner = "Dr. Anna Weber"

	pc := product{tag: "PC", kind: "workstation", vendor: "Microsoft", name: win11,
		role: clinicalSupport, patientData: true, zone: zoneClients, exposure: internal, patch: byOrg, owner: owner}
	for _, n := range []struct{ name, place string }{
		{"Reception PC 1", "Reception"}, {"Reception PC 2", "Reception"},
		{"Consultation room 1 PC (Dr. Anna Weber)", "Consultation room 1"},
		{"Consultation room 2 PC (Dr. Felix Brandt)", "Consultation room 2"},
		{"Lab corner PC", "Lab corner"}, {"Office PC (billing)", "Office"},
	} {
		b.add(pc, current(win11Oct24), n.name, n.place)
	}
	laptop := pc
	laptop.kind = "laptop"
	b.add(laptop, current(win11Oct24), "Laptop (Dr. Anna Weber)", "Home office")
	b.add(laptop, current(win11Oct24), "Laptop (Dr. Felix Brandt)", "Home office")
	server := pc
	server.tag, server.kind, server.name = "SRV", "server", srv2022
	b.add(server, current(srv22Oct24), "Practice server", "Office")

	app := product{tag: "APP", kind: "practice-management", role: clinicalSupport, patientData: true,
		zone: zoneClients, exposure: internal, patch: byVendor, owner: owner}
	pms := app
	pms.vendor, pms.name = "CompuGroup Medical", "MEDISTAR"
	b.add(pms, at("2024.3"), "Practice management system (MEDISTAR)", "Office")

	net := product{tag: "NET", kind: "network", role: clinicalSupport, zone: zoneDMZ, exposure: internet, patch: byOrg, owner: owner}
	router := net
	router.kind, router.vendor, router.name, router.model = "router", "DrayTek", "Vigor2960", "Vigor2960"
	router.cpe = "cpe:2.3:o:draytek:vigor2960_firmware:*:*:*:*:*:*:*:*"
	b.add(router, at("1.5.0"), "Internet router", "Office")
	konnektor := net
	konnektor.kind, konnektor.vendor, konnektor.name, konnektor.exposure, konnektor.patch = "ti-connector", "secunet", "secunet konnektor", partner, byVendor
	b.add(konnektor, at("5.1.2"), "TI connector (Konnektor)", "Office")
	ap := net
	ap.kind, ap.vendor, ap.name, ap.zone, ap.exposure = "access-point", "TP-Link", "EAP245", zoneClients, internal
	b.add(ap, at("5.1.0"), "Wi-Fi access point", "Waiting room")

	dev := product{zone: zoneClients, exposure: internal, patch: byVendor, owner: owner}
	reader := dev
	reader.tag, reader.kind, reader.role, reader.patientData = "DEV", "card-reader", clinicalSupport, true
	reader.vendor, reader.name = "Ingenico Healthcare", "ORGA 6141 online"
	b.add(reader, at("3.9.0"), "Card reader (reception)", "Reception")
	b.add(reader, at("3.9.0"), "Card reader (mobile, home visits)", "Reception")
	ecg := dev
	ecg.tag, ecg.kind, ecg.role, ecg.patientData = "MED", "ecg", diagnostic, true
	ecg.vendor, ecg.name = "Welch Allyn", "ELI 280 Resting Electrocardiograph"
	b.add(ecg, at("2.3.1"), "ECG cart", "Consultation room 1")
	us := ecg
	us.kind, us.vendor, us.name = "imaging", "GE HealthCare", "LOGIQ e"
	b.add(us, at("R9.1.4"), "Ultrasound (LOGIQ e)", "Consultation room 2")
	spiro := ecg
	spiro.kind, spiro.vendor, spiro.name = "spirometer", "SCHILLER", "SpiroScout"
	b.add(spiro, at("2.1"), "Spirometer", "Lab corner")
	steril := dev
	steril.tag, steril.kind, steril.role, steril.vendor, steril.name = "DEV", "steriliser", clinicalSupport, "MELAG", "Vacuklav 31 B+"
	b.add(steril, at("4.2"), "Steriliser", "Lab corner")

	office := product{tag: "DEV", role: administrative, zone: zoneClients, exposure: internal, patch: byOrg, owner: owner}
	printer := office
	printer.kind, printer.vendor, printer.name = "printer", "Brother", "MFC-L8900CDW"
	b.add(printer, at("1.72"), "Network printer", "Reception")
	label := office
	label.kind, label.vendor, label.name = "printer", "Brother", "QL-820NWB"
	b.add(label, at("1.21"), "Label printer (lab samples)", "Lab corner")
	nas := office
	nas.kind, nas.vendor, nas.name, nas.role, nas.patientData = "nas", "Synology", "DiskStation DS220+", clinicalSupport, true
	b.add(nas, at("7.2.1"), "Backup NAS", "Office")
	phone := office
	phone.kind, phone.vendor, phone.name = "phone-system", "Auerswald", "COMpact 5500R"
	b.add(phone, at("8.2B"), "Phone system", "Office")
	tablet := office
	tablet.kind, tablet.vendor, tablet.name, tablet.patientData = "tablet", "Apple", "iOS and iPadOS", true
	b.add(tablet, current("17.5"), "iPad for patient questionnaires", "Waiting room")

	return Org{Name: "Praxis Dr. Weber", Kind: KindPractice, Country: "DE", Assets: b.assets}
}
