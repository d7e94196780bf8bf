package demo

import (
	"fmt"
	"time"

	"github.com/ward-health/ward/internal/inventory"
)

// Shorthands for the catalogues.
const (
	internet = inventory.ExposureInternet
	partner  = inventory.ExposurePartner
	internal = inventory.ExposureInternal
	isolated = inventory.ExposureIsolated

	lifeSustaining  = inventory.RoleLifeSustaining
	treatment       = inventory.RoleTreatment
	diagnostic      = inventory.RoleDiagnostic
	clinicalSupport = inventory.RoleClinicalSupport
	administrative  = inventory.RoleAdministrative

	byOrg    = inventory.PatchOrg
	byVendor = inventory.PatchVendor

	zoneClients = "clients"
	zoneServers = "servers"
	zoneMedical = "medical-devices"
	zoneDMZ     = "dmz"
)

// Windows builds the catalogues record, as the embedded bundle places them:
// the October 2024 fixes ("current") and those of the months before.
const (
	win11Oct24 = "10.0.22631.4317"
	win11Sep24 = "10.0.22631.4169"
	win11Aug24 = "10.0.22631.4037"
	ltscOct24  = "10.0.26100.2033"
	srv22Oct24 = "10.0.20348.2762"
	srv22Sep24 = "10.0.20348.2700"
)

// Product names as the advisories write them. The fleets run Windows 11 and
// Server 2022. On Windows 10 and Server 2016/2019 every machine, however
// patched, would show 2018–2019 CVEs: CISA's ADP entries list those products
// whole ("windows_10", "windows_server_2019", version "-"), and the matcher
// takes them as all versions. That is a matching question, not a picture of a
// hospital.
const (
	win11   = "Windows 11 Version 23H2"
	win11LT = "Windows 11 Version 24H2" // IoT Enterprise LTSC 2024
	srv2022 = "Windows Server 2022"
)

// hospital is St. Elisabeth University Hospital: about 2,000 assets.
func hospital(l *ladders) Org {
	b := newBuilder("SEUH", 2024_10_24, l)
	const (
		it       = "IT operations"
		biomed   = "Biomedical engineering (Mira Okafor)"
		lab      = "Lab"
		pharmacy = "Pharmacy"
	)

	// Workstations on update rings: ring 1 (IT, administration,
	// outpatients) and ring 2 (most wards) run the October 2024 fixes; ring 3
	// (neurology, the stroke unit, psychiatry) and a third of the research
	// network are a month behind; a few doctors' laptops that rarely come on
	// site are two months behind.
	pc := product{tag: "WS", kind: "workstation", vendor: "Microsoft", name: win11,
		role: clinicalSupport, patientData: true, zone: zoneClients, exposure: internal, patch: byOrg, owner: it}
	office := pc
	office.role, office.patientData = administrative, false
	wards := []struct {
		name string
		ring release
	}{
		{"Cardiology 3A", current(win11Oct24)}, {"Cardiology 3B", current(win11Oct24)},
		{"General surgery 4A", current(win11Oct24)}, {"Trauma surgery 4B", current(win11Oct24)},
		{"Internal medicine 5A", current(win11Oct24)}, {"Gastroenterology 5B", current(win11Oct24)},
		{"Oncology 6A", current(win11Oct24)}, {"Haematology 6B", current(win11Oct24)},
		{"Neurology 2A", behind(1, win11Sep24)}, {"Stroke unit 2B", behind(1, win11Sep24)},
		{"Paediatrics 1B", current(win11Oct24)}, {"Neonatology 1C", current(win11Oct24)},
		{"Maternity 1A", current(win11Oct24)}, {"Geriatrics 7A", current(win11Oct24)},
		{"Urology 7B", current(win11Oct24)}, {"Psychiatry 8A", behind(1, win11Sep24)},
	}
	for _, w := range wards {
		b.fleet(12, pc, w.name+" workstation", w.name, all(w.ring))
		b.fleet(4, pc, w.name+" computer on wheels", w.name, all(w.ring))
	}
	lt := pc
	lt.name = win11LT
	b.fleet(24, lt, "ICU bedside PC", "ICU", all(current(ltscOct24)))
	b.fleet(6, lt, "ICU central workstation", "ICU", all(current(ltscOct24)))
	b.fleet(10, lt, "IMC workstation", "IMC", all(current(ltscOct24)))
	b.fleet(30, pc, "Emergency department workstation", "Emergency department", all(current(win11Oct24)))
	b.fleet(20, pc, "Operating theatre PC", "Operating theatres", all(current(win11Oct24)))
	b.fleet(25, pc, "Radiology reading workstation", "Radiology", all(current(win11Oct24)))
	b.fleet(10, pc, "Pharmacy workstation", "Pharmacy", all(current(win11Oct24)))
	labPC := pc
	labPC.owner = lab
	b.fleet(38, labPC, "Lab workstation", "Central lab", all(current(win11Oct24)))
	b.fleet(120, pc, "Outpatient clinic PC", "Outpatient clinics", all(current(win11Oct24)))
	b.fleet(200, pc, "Doctor's office PC", "Doctors' offices",
		share(97, current(win11Oct24)), share(3, behind(2, win11Aug24)))
	admission := pc
	admission.role = administrative
	b.fleet(60, admission, "Patient admission PC", "Patient admission", all(current(win11Oct24)))
	b.fleet(40, admission, "Billing PC", "Billing", all(current(win11Oct24)))
	b.fleet(150, office, "Administration PC", "Administration", all(current(win11Oct24)))
	b.fleet(150, office, "Research PC", "Research building",
		share(2, current(win11Oct24)), share(1, behind(1, win11Sep24)))
	b.fleet(30, office, "IT department PC", "Data centre", all(current(win11Oct24)))
	// Two lab PCs still run Windows 7, whose support ended in January 2023:
	// the analysers' software is certified for nothing newer. They run the
	// last Windows 7 build, on an isolated segment.
	win7 := labPC
	win7.name, win7.exposure, win7.endOfSupport = "Windows 7 Service Pack 1", isolated, time.Date(2023, 1, 10, 0, 0, 0, 0, time.UTC)
	b.fleet(2, win7, "Lab analyser PC (Windows 7)", "Central lab", all(at("6.1.7601.26321")))

	// Servers.
	srv := product{tag: "SRV", kind: "server", vendor: "Microsoft", name: srv2022,
		role: clinicalSupport, patientData: true, zone: zoneServers, exposure: internal, patch: byOrg, owner: it}
	infra := srv
	infra.role, infra.patientData = administrative, false
	b.fleet(4, infra, "Domain controller", "Data centre", all(current(srv22Oct24)))
	b.fleet(6, srv, "File server", "Data centre", all(current(srv22Oct24)))
	b.fleet(12, srv, "HIS application server (Dedalus ORBIS)", "Data centre", all(current(srv22Oct24)))
	b.fleet(6, srv, "HIS database server", "Data centre", all(current(srv22Oct24)))
	b.fleet(8, srv, "Citrix session host", "Data centre", all(current(srv22Oct24)))
	b.fleet(10, srv, "Interface server (HL7)", "Data centre", all(current(srv22Oct24)))
	b.fleet(20, srv, "Clinical application server", "Data centre", all(current(srv22Oct24)))
	b.fleet(22, srv, "Departmental server", "Data centre", share(3, current(srv22Oct24)), share(1, behind(1, srv22Sep24)))
	b.fleet(4, infra, "Print server", "Data centre", all(behind(1, srv22Sep24)))

	exch := srv
	exch.role, exch.exposure = administrative, internet // Outlook on the web is published
	exch.components = []inventory.Component{{Kind: "application", Vendor: "Microsoft", Name: "Microsoft Exchange Server 2019 Cumulative Update 13", Version: "15.2.1258.12"}}
	b.fleet(2, exch, "Exchange mailbox server", "Data centre", all(current(srv22Oct24)))
	sp := infra
	sp.components = []inventory.Component{{Kind: "application", Vendor: "Microsoft", Name: "Microsoft SharePoint Server 2019", Version: "16.0.10411.20000"}}
	b.fleet(2, sp, "Intranet SharePoint server", "Data centre", all(current(srv22Oct24)))
	veeam := srv
	veeam.components = []inventory.Component{{Kind: "application", Vendor: "Veeam", Name: "Backup and  Recovery", Version: "12.1.2"}}
	b.add(veeam, current(srv22Oct24), "Backup server (Veeam)", "Data centre")
	conf := product{tag: "SRV", kind: "server", vendor: "Atlassian", name: "Confluence Data Center",
		role: administrative, zone: zoneServers, exposure: internal, patch: byOrg, owner: it}
	b.add(conf, at("8.5.16"), "IT wiki (Confluence)", "Data centre")
	esxi := product{tag: "SRV", kind: "hypervisor", vendor: "VMware", name: "ESXi", cpe: "cpe:2.3:o:vmware:esxi:*:*:*:*:*:*:*:*",
		role: clinicalSupport, patientData: true, zone: zoneServers, exposure: internal, patch: byOrg, owner: it}
	b.fleet(12, esxi, "ESXi host", "Data centre", all(at("8.0.3")))
	vc := esxi
	vc.kind, vc.name, vc.cpe = "server", "VMware vCenter Server", ""
	b.add(vc, at("8.0U1"), "vCenter", "Data centre")

	// Clinical systems on servers and workstations.
	clin := product{tag: "APP", kind: "clinical-system", role: clinicalSupport, patientData: true,
		zone: zoneServers, exposure: internal, patch: byVendor, owner: it}
	pacs := clin
	pacs.vendor, pacs.name = "Philips", "Vue PACS"
	b.add(pacs, at("12.2.1"), "PACS (Philips Vue PACS)", "Radiology")
	motion := pacs
	motion.name = "Vue Motion"
	b.add(motion, at("12.2.1.5"), "PACS web viewer (Vue Motion)", "Radiology")
	isp := clin
	isp.vendor, isp.name, isp.role, isp.zone = "Philips", "IntelliSpace Portal 8.0.x", diagnostic, zoneMedical
	b.fleet(2, isp, "Advanced visualisation workstation (IntelliSpace Portal)", "Radiology", all(at("8.0.3")))
	cvis := clin
	cvis.vendor, cvis.name = "Philips", "IntelliSpace Cardiovascular"
	b.add(cvis, at("3.1"), "Cardiology image and information system", "Cardiology 3A")
	pyxisSrv := clin
	pyxisSrv.vendor, pyxisSrv.name, pyxisSrv.owner, pyxisSrv.exposure = "BD", "BD Pyxis MedStation ES Server", pharmacy, partner
	b.add(pyxisSrv, at("1.6.1"), "Pyxis server", "Pharmacy")
	asm := clin
	asm.vendor, asm.name, asm.owner, asm.role, asm.exposure = "BD", "Alaris Systems Manager", biomed, treatment, partner
	b.add(asm, at("4.33"), "Alaris Systems Manager (pump server, BD remote service)", "Data centre")

	// Medical devices: vendor-patched, on the medical-devices VLAN, owned
	// by biomedical engineering.
	med := product{zone: zoneMedical, exposure: internal, patch: byVendor, owner: biomed}

	// Infusion pumps. The ICU's BD Alaris Plus pumps run 2.3.6, the last
	// version the advisory names; BD answers with mitigations, no update.
	pump := med
	pump.tag, pump.kind, pump.role = "PUMP", "infusion-pump", lifeSustaining
	alarisGH, alarisCC := pump, pump
	alarisGH.vendor, alarisGH.name = "BD", "Alaris GH"
	alarisCC.vendor, alarisCC.name = "BD", "Alaris CC"
	gateway := med
	gateway.tag, gateway.kind, gateway.role, gateway.vendor, gateway.name = "PUMP", "pump-gateway", treatment, "BD", "Alaris Gateway Workstation"
	for bed := 1; bed <= 24; bed++ {
		b.add(alarisGH, at("2.3.6"), fmt.Sprintf("ICU bed %d syringe pump 1", bed), "ICU")
		b.add(alarisGH, at("2.3.6"), fmt.Sprintf("ICU bed %d syringe pump 2", bed), "ICU")
		b.add(alarisCC, at("2.3.6"), fmt.Sprintf("ICU bed %d syringe pump 3", bed), "ICU")
		b.add(gateway, b.pick(share(1, at("1.1.6")), share(1, at("1.6.1"))), fmt.Sprintf("ICU bed %d pump gateway", bed), "ICU")
	}
	// Fresenius Kabi Agilia pumps: the 40 on the IMC still have the WiFi
	// module the advisory names (D25; the vendor's answer is module D29, not
	// yet installed), the stroke unit's have D29.
	agilia := pump
	agilia.vendor, agilia.name = "Fresenius Kabi", "Agilia SP MC WiFi"
	agiliaD29 := agilia
	agilia.components = []inventory.Component{{Kind: "firmware", Name: "Agilia Connect WiFi module", Version: "D25"}}
	agiliaD29.components = []inventory.Component{{Kind: "firmware", Name: "Agilia Connect WiFi module", Version: "D29"}}
	for bed := 1; bed <= 16; bed++ {
		b.add(agilia, at("3.3"), fmt.Sprintf("IMC bed %d syringe pump 1", bed), "IMC")
		b.add(agilia, at("3.3"), fmt.Sprintf("IMC bed %d syringe pump 2", bed), "IMC")
	}
	b.fleet(8, agilia, "IMC spare syringe pump", "IMC", all(at("3.3")))
	b.fleet(12, agiliaD29, "Stroke unit syringe pump", "Stroke unit 2B", all(at("3.3")))
	// B. Braun Space pumps on the wards, their Wi-Fi battery packs on both
	// sides of the fix (L81 affected; B. Braun's update outside the US is
	// 027L000093, "L93"), and the SpaceStations B. Braun services remotely.
	space := pump
	space.vendor, space.name = "B. Braun", "Infusomat Space"
	spaceOld, spaceNew := space, space
	spaceOld.components = []inventory.Component{{Kind: "firmware", Name: "Battery Pack SP with Wi-Fi", Version: "L81"}}
	spaceNew.components = []inventory.Component{{Kind: "firmware", Name: "Battery Pack SP with Wi-Fi", Version: "L93"}}
	for _, w := range []string{"General surgery 4A", "Trauma surgery 4B", "Internal medicine 5A", "Gastroenterology 5B", "Geriatrics 7A", "Urology 7B"} {
		for i := 1; i <= 10; i++ {
			p := spaceNew
			if b.rng.IntN(3) == 0 {
				p = spaceOld
			}
			b.add(p, at("688F"), fmt.Sprintf("%s infusion pump %d", w, i), w)
		}
	}
	station := med
	station.tag, station.kind, station.role, station.exposure = "PUMP", "pump-dock", lifeSustaining, partner
	station.vendor, station.name = "B. Braun", "SpaceStation with SpaceCom 2"
	b.fleet(6, station, "SpaceStation (B. Braun remote service)", "Internal medicine 5A", all(at("L81")))
	sigma := pump
	sigma.vendor, sigma.name = "Baxter", "Sigma Spectrum LVP"
	b.fleet(12, sigma, "Oncology infusion pump", "Oncology 6A", all(at("8.01.01")))
	b.fleet(8, sigma, "Haematology infusion pump", "Haematology 6B", all(at("8.01.01")))
	medfusion := pump
	medfusion.vendor, medfusion.name = "Smiths Medical", "Medfusion 4000 Wireless Syringe Infusion Pump"
	b.fleet(12, medfusion, "Neonatology syringe pump", "Neonatology 1C", share(2, at("1.1")), share(1, at("1.6.1")))
	tiva := pump
	tiva.vendor, tiva.name = "BD", "Alaris TIVA"
	for or := 1; or <= 10; or++ {
		b.add(tiva, at("2.3.6"), fmt.Sprintf("Operating theatre %d TIVA pump", or), "Operating theatres")
	}

	// Patient monitors.
	mon := med
	mon.tag, mon.kind, mon.role, mon.patientData = "MON", "patient-monitor", diagnostic, true
	mx800, mx450 := mon, mon
	mx800.vendor, mx800.name, mx800.model = "Philips", "IntelliVue MX800", "MX800"
	mx450.vendor, mx450.name, mx450.model = "Philips", "IntelliVue MX450", "MX450"
	for bed := 1; bed <= 24; bed++ {
		b.add(mx800, at("M.00.03"), fmt.Sprintf("ICU bed %d patient monitor", bed), "ICU")
	}
	for bed := 1; bed <= 16; bed++ {
		b.add(mx450, at("M.00.03"), fmt.Sprintf("IMC bed %d patient monitor", bed), "IMC")
	}
	b.fleet(20, mx450, "Emergency department bay monitor", "Emergency department", all(at("M.00.03")))
	picix := mon
	picix.kind, picix.tag, picix.vendor, picix.name = "central-station", "MON", "Philips", "Patient Information Center iX (PIC iX)"
	for _, u := range []string{"ICU", "IMC", "Emergency department", "Cardiology 3A"} {
		b.add(picix, at("C.03"), u+" central station (PIC iX)", u)
	}
	mx40 := mon
	mx40.vendor, mx40.name, mx40.model = "Philips", "IntelliVue MX40", "MX40"
	b.fleet(30, mx40, "Telemetry monitor (MX40)", "Cardiology 3B", share(1, at("B.06.15")), share(1, at("B.06.18")))
	carescape := mon
	carescape.vendor, carescape.name = "GE Healthcare", "B850"
	for or := 1; or <= 10; or++ {
		b.add(carescape, at("2.0.1"), fmt.Sprintf("Operating theatre %d anaesthesia monitor (CARESCAPE B850)", or), "Operating theatres")
	}
	b.fleet(2, carescape, "Cath lab monitor (CARESCAPE B850)", "Cardiac cath lab", all(at("2.0.1")))
	cvsm := mon
	cvsm.vendor, cvsm.name = "Welch Allyn", "Welch Allyn Connex Vital Signs Monitor (CVSM)"
	cvsmShort := cvsm
	cvsmShort.name = "Connex Vital Signs Monitor"
	for _, w := range []string{"Cardiology 3A", "General surgery 4A", "Internal medicine 5A", "Geriatrics 7A", "Paediatrics 1B"} {
		b.fleet(4, cvsm, w+" vital signs monitor", w, share(1, at("2.43.00")), share(1, at("2.43.02")))
		b.fleet(4, cvsmShort, w+" spot-check monitor", w, all(at("2.42.00")))
	}
	delta := mon
	delta.vendor, delta.name = "Dräger", "Infinity Delta"
	b.fleet(16, delta, "Neurology monitor (Infinity Delta)", "Neurology 2A", all(at("VF10")))

	// Life support and therapy.
	vent := med
	vent.tag, vent.kind, vent.role, vent.vendor, vent.name = "VENT", "ventilator", lifeSustaining, "Hamilton Medical AG", "HAMILTON-T1 ventilator"
	b.fleet(6, vent, "Transport ventilator (HAMILTON-T1)", "ICU", share(1, at("2.2.3")), share(1, at("2.3.1")))
	dialysis := med
	dialysis.tag, dialysis.kind, dialysis.role, dialysis.patientData = "DIAL", "dialysis", treatment, true
	dialysis.vendor, dialysis.name = "Baxter", "Phoenix Hemodialysis Delivery System"
	b.fleet(8, dialysis, "Dialysis station", "Dialysis unit", all(at("3.40")))
	prisma := dialysis
	prisma.name = "PrismaFlex"
	b.fleet(4, prisma, "CRRT machine (PrismaFlex)", "ICU", all(at("8.10")))
	anaesthesia := med
	anaesthesia.tag, anaesthesia.kind, anaesthesia.role, anaesthesia.vendor, anaesthesia.name = "ANE", "anaesthesia-machine", lifeSustaining, "Dräger", "Perseus A500"
	for or := 1; or <= 10; or++ {
		b.add(anaesthesia, at("2.03"), fmt.Sprintf("Operating theatre %d anaesthesia machine", or), "Operating theatres")
	}

	// ECG.
	ecg := med
	ecg.tag, ecg.kind, ecg.role, ecg.patientData = "ECG", "ecg", diagnostic, true
	pagewriter := ecg
	pagewriter.vendor, pagewriter.name = "Philips", "PageWriter TC70 Cardiograph"
	b.fleet(10, pagewriter, "ECG cart (PageWriter TC70)", "Cardiology 3A", all(at("A.07.2")))
	eli := ecg
	eli.vendor, eli.name = "Welch Allyn", "ELI 380 Resting Electrocardiograph"
	b.fleet(4, eli, "ECG cart (ELI 380)", "Emergency department", all(at("2.6.0")))
	stress := ecg
	stress.vendor, stress.name = "Hillrom", "Welch Allyn Q-Stress Cardiac Stress Testing System"
	b.fleet(2, stress, "Stress test system", "Cardiology 3A", all(at("6.3.1")))

	// Imaging.
	img := med
	img.tag, img.kind, img.role, img.patientData, img.exposure = "IMG", "imaging", diagnostic, true, partner // vendor remote service
	add := func(vendor, name, model, v, label, location string) {
		p := img
		p.vendor, p.name, p.model = vendor, name, model
		b.add(p, at(v), label, location)
	}
	add("Siemens", "Siemens PET/CT Systems Windows 7-Based", "Biograph mCT", "VG62", "PET/CT (Biograph mCT)", "Nuclear medicine")
	add("Siemens", "Siemens SPECT Workplaces/Symbia.net Windows XP-Based", "Symbia.net", "VA60", "SPECT workplace (Symbia.net)", "Nuclear medicine")
	add("GE Healthcare", "Xeleris 3.1", "", "3.1", "Nuclear medicine workstation (Xeleris)", "Nuclear medicine")
	add("GE Healthcare", "Revolution CT", "", "21MW38.10", "CT 1 (Revolution CT)", "Radiology")
	add("GE Healthcare", "Optima CT660", "", "16MW15.6", "CT 2 (Optima CT660)", "Emergency department")
	add("Philips", "Brilliance iCT", "", "4.1.6", "CT 3 (Brilliance iCT)", "Radiology")
	add("GE Healthcare", "1.5T Signa Hdx", "", "HD23", "MRI 1 (Signa HDxt 1.5T)", "Radiology")
	add("Philips", "MRI 3T", "Ingenia 3.0T", "5.7.1", "MRI 2 (Ingenia 3.0T)", "Radiology")
	for i := 1; i <= 3; i++ {
		add("GE Healthcare", "Optima XR646", "", "1.2", fmt.Sprintf("X-ray room %d (Optima XR646)", i), "Radiology")
	}
	add("GE Healthcare", "Definium 6000", "", "1.4", "X-ray room 4 (Definium 6000)", "Emergency department")
	for i := 1; i <= 3; i++ {
		add("GE Healthcare", "AMX 700", "", "1.0", fmt.Sprintf("Mobile X-ray %d (AMX 700)", i), "ICU")
	}
	for i := 1; i <= 6; i++ {
		v := "R3.1.1"
		if i > 3 {
			v = "R3.2.0"
		}
		add("GE HealthCare", "LOGIQ E10", "", v, fmt.Sprintf("Ultrasound %d (LOGIQ E10)", i), "Radiology")
	}
	for i := 1; i <= 4; i++ {
		add("Philips", "Affiniti", "Affiniti 70", "VM5.0", fmt.Sprintf("Echo ultrasound %d (Affiniti 70)", i), "Cardiology 3A")
	}
	add("Philips", "Interventional Workspot", "", "1.4.5", "Cath lab workspot 1", "Cardiac cath lab")
	add("Philips", "Interventional Workspot", "", "1.4.5", "Cath lab workspot 2", "Cardiac cath lab")

	// Lab.
	labDev := med
	labDev.tag, labDev.kind, labDev.role, labDev.patientData, labDev.owner = "LAB", "lab-analyser", diagnostic, true, lab
	addLab := func(vendor, name, v, label string) {
		p := labDev
		p.vendor, p.name = vendor, name
		b.add(p, at(v), label, "Central lab")
	}
	addLab("BD", "PerformA", "3.0.0.0", "Microbiology automation (BD Kiestra PerformA)")
	addLab("BD", "ReadA Overview", "1.1.0.2", "Microbiology imaging (BD Kiestra ReadA)")
	addLab("BD", "BD Viper LT system", "2.1", "Molecular analyser (BD Viper LT)")
	addLab("BD", "BD Totalys MultiProcessor", "1.70", "Cytology processor (BD Totalys)")
	addLab("BD", "FACSLyric IVD", "1.3", "Flow cytometer (BD FACSLyric)")
	for i := 1; i <= 4; i++ {
		addLab("Sysmex", "XN-1000", "00-25", fmt.Sprintf("Haematology analyser %d (Sysmex XN-1000)", i))
	}
	for i := 1; i <= 3; i++ {
		addLab("Roche", "cobas 8000", "06-01", fmt.Sprintf("Chemistry analyser %d (cobas 8000)", i))
	}
	lis := labDev
	lis.tag, lis.kind, lis.role, lis.zone, lis.patch = "APP", "clinical-system", clinicalSupport, zoneServers, byOrg
	lis.vendor, lis.name = "Dedalus", "LAURIS"
	b.add(lis, at("19.2"), "Lab information system", "Data centre")

	// Pharmacy automation.
	pyxis := med
	pyxis.tag, pyxis.kind, pyxis.role, pyxis.patientData, pyxis.owner = "PHA", "medication-cabinet", clinicalSupport, true, pharmacy
	pyxis.vendor, pyxis.name = "BD", "BD Pyxis MedStation ES"
	for _, w := range []string{"ICU", "IMC", "Emergency department", "Cardiology 3A", "Cardiology 3B", "General surgery 4A",
		"Trauma surgery 4B", "Internal medicine 5A", "Gastroenterology 5B", "Oncology 6A", "Haematology 6B", "Neurology 2A"} {
		b.add(pyxis, at("1.6.1"), w+" medication cabinet (Pyxis)", w)
	}
	exacta := pyxis
	exacta.kind, exacta.role, exacta.vendor, exacta.name = "compounder", treatment, "Baxter", "ExactaMix EM2400"
	b.fleet(2, exacta, "Parenteral nutrition compounder (ExactaMix)", "Pharmacy", all(at("1.13")))

	// Facilities.
	fac := product{tag: "FAC", kind: "building-system", role: clinicalSupport, zone: zoneMedical, exposure: internal, patch: byVendor, owner: it}
	tube := fac
	tube.vendor, tube.name = "Swisslog Healthcare", "Nexus Control Panel"
	b.fleet(3, tube, "Pneumatic tube station controller", "Central lab", all(at("7.2.5.1")))
	gas := fac
	gas.vendor, gas.name = "BeaconMedaes", "TotalAlert Scroll Medical Air Systems"
	b.add(gas, at("4107600010.23"), "Medical air plant controller", "Plant room")

	// Network.
	net := product{tag: "NET", kind: "network", role: clinicalSupport, zone: zoneDMZ, exposure: internet, patch: byOrg, owner: it}
	// FortiOS 7.2.8 is past the 2024 flaws; two old CVE records give their
	// versions only as text ("FortiOS before 7.0.3"), so it shows them as
	// "possible", for someone to reject.
	forti := net
	forti.vendor, forti.name, forti.model = "Fortinet", "FortiOS", "FortiGate 600E"
	forti.cpe = "cpe:2.3:o:fortinet:fortios:*:*:*:*:*:*:*:*"
	b.fleet(2, forti, "Internet firewall (FortiGate)", "Data centre", all(at("7.2.8")))
	pan := net
	pan.vendor, pan.name, pan.model, pan.zone, pan.exposure = "Palo Alto Networks", "PAN-OS", "PA-3220", zoneServers, internal
	b.fleet(2, pan, "Data centre firewall (PA-3220)", "Data centre", all(at("10.2.10")))
	b.fleet(2, pan, "Medical device segment firewall (PA-3220)", "Data centre", all(at("10.2.10")))
	// The remote-access VPN runs the last ASA release the 2024 advisories
	// (CVE-2024-20353, -20359: exploited) call affected.
	asa := net
	asa.vendor, asa.name, asa.model = "Cisco", "Cisco Adaptive Security Appliance (ASA) Software", "ASA 5545-X"
	b.fleet(2, asa, "Remote-access VPN (Cisco ASA)", "Data centre", all(at("9.16.4.55")))
	adc := net
	adc.vendor, adc.name = "Citrix", "NetScaler ADC"
	adc.cpe = "cpe:2.3:a:citrix:netscaler_application_delivery_controller:*:*:*:*:-:*:*:*"
	b.fleet(2, adc, "Citrix gateway (NetScaler)", "Data centre", all(at("14.1-29.72")))
	// "ICS" is the CVE records' name for Ivanti Connect Secure; 22.7R2.3 is
	// past every flaw they list.
	ivanti := net
	ivanti.vendor, ivanti.name, ivanti.exposure = "Ivanti", "ICS", partner
	b.add(ivanti, at("22.7R2.3"), "Vendor remote access (Ivanti Connect Secure)", "Data centre")
	sw := net
	sw.vendor, sw.name, sw.model, sw.zone, sw.exposure = "Cisco", "Cisco IOS XE Software", "Catalyst 9300", zoneClients, internal
	b.fleet(40, sw, "Access switch", "Building A", all(at("17.12.4")))
	core := sw
	core.model, core.zone = "Catalyst 9500", zoneServers
	b.fleet(4, core, "Core switch", "Data centre", all(at("17.12.4")))

	// Printers, with no published flaws: most of an inventory is quiet.
	printer := product{tag: "PRN", kind: "printer", vendor: "HP", name: "LaserJet Enterprise M507",
		role: administrative, zone: zoneClients, exposure: internal, patch: byOrg, owner: it}
	for _, w := range wards {
		b.add(printer, at("2506116_068525"), w.name+" printer", w.name)
	}
	b.fleet(30, printer, "Office printer", "Administration", all(at("2506116_068525")))

	return Org{Name: "St. Elisabeth University Hospital", Kind: KindHospital, Country: "DE", Assets: b.assets}
}
