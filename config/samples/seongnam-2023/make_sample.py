#!/usr/bin/env python3
"""Writes the Seongnam 2023 sample event: event.json, buyers.csv, companies.csv.

Deterministic (fixed seed): running it again gives byte-identical files. Facts taken from the
press coverage (MISSION.md) are marked FACT below; everything else is synthetic. See README.md.
"""
import csv
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(2023)

# ---------------------------------------------------------------- event
VENUES = [  # FACT: the four venues; table counts, addresses and travel times are synthetic
    ("gravity", "Pangyo Gravity Hotel (main hall)", "Pangyo-ro, Bundang-gu, Seongnam", 34),
    ("bhip", "Bundang Healthcare Innovation Park", "Bundang-gu, Seongnam", 10),
    ("kins", "Kins Tower", "Seongnam-daero, Bundang-gu, Seongnam", 8),
    ("training", "Regional education and training centre", "Seongnam", 6),
]
TRAVEL = [("gravity", "kins", 10), ("gravity", "bhip", 20), ("gravity", "training", 25),
          ("kins", "bhip", 20), ("kins", "training", 25), ("bhip", "training", 20)]
INTERPRETERS = [("vi", 3), ("th", 2), ("id", 1), ("ms", 1), ("en", 4), ("ja", 1), ("zh", 2),
                ("ru", 2), ("mn", 1), ("ar", 1), ("de", 1), ("hi", 1)]
DATES = ["2023-09-13", "2023-09-14", "2023-09-15"]  # three days: FACT; the dates: assumed
SESSIONS = [
    {"name": "morning", "start": "09:30", "end": "12:00", "breaks": []},
    {"name": "afternoon", "start": "13:30", "end": "17:30",
     "breaks": [{"start": "15:30", "end": "16:00"}]},
]
SLOTS_PER_DAY = 5 + 7  # 30-minute slots: 09:30-12:00, 13:30-15:30, 16:00-17:30
SLOT_COUNT = SLOTS_PER_DAY * len(DATES)

event = {
    "name": "2023 Seongnam Bio-Healthcare International Convention (sample)",
    "time_zone": "Asia/Seoul",
    "slot_minutes": 30,
    "days": [{"date": d, "sessions": SESSIONS} for d in DATES],
    "venues": [{"id": i, "name": n, "address": a, "tables": t} for i, n, a, t in VENUES],
    "travel": [{"from": f, "to": t, "minutes": m} for f, t, m in TRAVEL],
    "interpreters": [{"languages": [lang, "ko"], "count": c} for lang, c in INTERPRETERS],
    "policies": {"max_meetings_per_day": 8, "hosted_buyer_minimum": 6,
                 "request_expiry_hours": 24, "self_booking": True, "max_outgoing_requests": 20},
}

# ---------------------------------------------------------------- companies
# FACT: the seven named products; the makers' names and every detail are synthetic.
NAMED = [
    ("AI smart baby crib", "AI 스마트 아기침대",
     "Crib that senses an infant's breathing and sleep posture and rocks or alerts parents.",
     ["maternal_child.infant_care", "digital_health.ai_diagnosis"], ["KC", "CE"], "940320"),
    ("AI cervical-cancer screening system", "AI 자궁경부암 선별 시스템",
     "Deep-learning reading of cervical cytology images; flags suspicious slides for review.",
     ["ivd.pathology", "digital_health.ai_diagnosis"], ["MFDS", "CE", "ISO 13485"], "902780"),
    ("AI eye-health self-diagnosis kiosk", "AI 눈 건강 자가진단 키오스크",
     "Kiosk with fundus camera and AI that screens for glaucoma and diabetic retinopathy.",
     ["ophthalmic.diagnostics", "digital_health.ai_diagnosis"], ["MFDS", "ISO 13485"], "901850"),
    ("Motion-recognition fitness measurement and training solution", "동작인식 체력측정·운동 솔루션",
     "Camera-based motion recognition measures fitness and coaches exercise for clinics and gyms.",
     ["rehab_fitness.fitness_measurement", "rehab_fitness.rehab_devices"], ["KC"], "950691"),
    ("Wearable ECG device", "웨어러블 심전도기",
     "Patch ECG recording up to 14 days with AI arrhythmia analysis.",
     ["wearables.cardiac", "digital_health.telemedicine"], ["MFDS", "CE", "FDA", "ISO 13485"],
     "901811"),
    ("Medical oxygen generator", "의료용 산소발생기",
     "PSA oxygen generator for hospitals, 93% oxygen, 10 to 100 Nm3/h.",
     ["hospital_equipment.respiratory"], ["MFDS", "CE", "ISO 13485"], "901920"),
    ("Portable electrode-ion water heater", "휴대용 전극 이온 온수기",
     "Electrode-boiler water heater, portable, for labs and clinics; no heating element to scale.",
     ["home_health.water"], ["KC", "CE"], "851610"),
]

# Other products across the taxonomy: (category, English, Korean, hs code, marks).
OTHER = [
    ("dental.implants", "Dental implant system", "치과 임플란트 시스템", "902129", ["MFDS", "CE", "FDA"]),
    ("dental.digital", "Intraoral 3D scanner", "구강 3D 스캐너", "901849", ["MFDS", "CE"]),
    ("dental.digital", "Dental 3D printer and resins", "치과용 3D 프린터와 레진", "847780", ["MFDS"]),
    ("dental.imaging", "Dental CBCT", "치과용 CBCT", "902214", ["MFDS", "CE", "FDA"]),
    ("dental.units", "Dental unit chair", "치과 유니트 체어", "901841", ["MFDS", "CE"]),
    ("dental.materials", "Synthetic bone graft", "합성 골이식재", "902190", ["MFDS", "CE"]),
    ("orthopaedic.implants", "Spinal fixation screws", "척추 고정 스크류", "902110", ["MFDS", "CE", "FDA"]),
    ("orthopaedic.implants", "Artificial knee joint", "인공 무릎관절", "902131", ["MFDS", "CE"]),
    ("orthopaedic.braces", "Custom 3D-printed orthosis", "3D 프린팅 맞춤 보조기", "902110", ["MFDS"]),
    ("ophthalmic.lenses", "Hydrophobic intraocular lens", "소수성 인공수정체", "902139", ["MFDS", "CE"]),
    ("ophthalmic.surgical", "Ophthalmic laser system", "안과 레이저 장비", "901850", ["MFDS", "CE"]),
    ("ivd.molecular", "Real-time PCR diagnostic kits", "실시간 PCR 진단키트", "382212", ["MFDS", "CE", "ISO 13485"]),
    ("ivd.rapid", "Rapid antigen test kits", "신속 항원 진단키트", "382219", ["MFDS", "CE"]),
    ("ivd.immunoassay", "Fluorescence immunoassay analyser", "형광면역 분석기", "902780", ["MFDS", "CE"]),
    ("digital_health.medical_data", "Hospital data platform for clinical research", "임상연구용 병원 데이터 플랫폼", "852349", ["ISO 27001"]),
    ("digital_health.medical_data", "Cloud EMR for clinics", "클라우드 EMR", "852349", ["ISO 27001"]),
    ("digital_health.ai_diagnosis", "AI chest X-ray reading software", "AI 흉부 엑스레이 판독 소프트웨어", "852349", ["MFDS", "CE", "FDA"]),
    ("digital_health.telemedicine", "Remote patient monitoring platform", "원격 환자 모니터링 플랫폼", "851762", ["MFDS"]),
    ("digital_health.therapeutics", "Digital therapeutic for insomnia", "불면증 디지털 치료기기", "852349", ["MFDS"]),
    ("wearables.vitals", "Wrist blood-pressure monitor", "손목형 혈압계", "901890", ["MFDS", "CE"]),
    ("wearables.vitals", "Continuous glucose monitor", "연속혈당측정기", "902780", ["MFDS", "CE"]),
    ("rehab_fitness.rehab_devices", "Gait rehabilitation robot", "보행재활 로봇", "901910", ["MFDS", "CE"]),
    ("rehab_fitness.rehab_devices", "Upper-limb rehabilitation device", "상지 재활기기", "901910", ["MFDS"]),
    ("cosmetic_medical.aesthetic_devices", "HIFU skin lifting device", "HIFU 피부 리프팅 장비", "901890", ["MFDS", "CE"]),
    ("cosmetic_medical.aesthetic_devices", "Picosecond laser", "피코초 레이저", "901320", ["MFDS", "CE", "FDA"]),
    ("cosmetic_medical.fillers", "Hyaluronic acid filler", "히알루론산 필러", "300490", ["MFDS", "CE"]),
    ("cosmetic_medical.cosmeceuticals", "Medical-grade skin care line", "메디컬 스킨케어 라인", "330499", ["CPNP"]),
    ("pharma_bio.biosimilars_cmo", "Antibody contract manufacturing", "항체 위탁생산", "300215", ["GMP"]),
    ("pharma_bio.microbiome", "Microbiome therapeutic candidate", "마이크로바이옴 치료제 후보물질", "300490", ["GMP"]),
    ("pharma_bio.health_supplements", "Red ginseng health supplement", "홍삼 건강기능식품", "210690", ["HACCP"]),
    ("pharma_bio.vaccines", "Veterinary and human vaccine adjuvants", "백신 면역증강제", "300241", ["GMP"]),
    ("hospital_equipment.respiratory", "Portable oxygen concentrator", "휴대용 산소농축기", "901920", ["MFDS", "CE"]),
    ("hospital_equipment.imaging", "Portable digital X-ray detector", "휴대용 디지털 엑스레이 디텍터", "902290", ["MFDS", "CE", "FDA"]),
    ("hospital_equipment.imaging", "Handheld ultrasound scanner", "휴대용 초음파 진단기", "901812", ["MFDS", "CE"]),
    ("hospital_equipment.monitoring", "Bedside patient monitor", "환자감시장치", "901819", ["MFDS", "CE"]),
    ("hospital_equipment.sterilization", "Plasma sterilizer", "플라즈마 멸균기", "841920", ["MFDS", "CE"]),
    ("hospital_equipment.consumables", "Safety syringes", "안전 주사기", "901831", ["MFDS", "CE", "ISO 13485"]),
    ("medical_robots.surgical", "Micro medical robot for vascular intervention", "혈관 중재 마이크로 의료로봇", "901890", ["MFDS"]),
    ("medical_robots.surgical", "Laparoscopic surgical robot", "복강경 수술로봇", "901890", ["MFDS"]),
    ("medical_robots.care", "Wearable walking-assist robot", "웨어러블 보행보조 로봇", "902140", ["MFDS", "CE"]),
    ("sleep.diagnostics", "Home sleep apnea test", "가정용 수면무호흡 검사기", "901819", ["MFDS", "CE"]),
    ("sleep.products", "Smart sleep pillow", "스마트 수면 베개", "940490", ["KC"]),
    ("sleep.products", "Auto CPAP device", "자동 양압기", "901920", ["MFDS", "CE"]),
    ("maternal_child.maternal", "Wireless fetal monitor", "무선 태아 모니터", "901819", ["MFDS"]),
    ("dementia_elderly.cognitive", "Dementia screening tablet test", "태블릿 치매 선별검사", "852349", ["MFDS"]),
    ("dementia_elderly.assistive", "Fall-detection radar for care homes", "요양시설용 낙상감지 레이더", "852610", ["KC", "CE"]),
    ("biomaterials.metal", "Titanium powder for implants", "임플란트용 티타늄 분말", "810320", ["ISO 13485"]),
    ("biomaterials.polymer", "Medical silicone implants", "의료용 실리콘 임플란트", "902190", ["MFDS", "CE"]),
    ("biomaterials.ceramic", "Zirconia blocks for crowns", "크라운용 지르코니아 블록", "690919", ["MFDS", "CE"]),
    ("photonic_medical.phototherapy", "LED phototherapy device", "LED 광치료기", "901850", ["MFDS", "CE"]),
    ("photonic_medical.optical_imaging", "Fluorescence endoscopy camera", "형광 내시경 카메라", "901890", ["MFDS"]),
]
assert len(NAMED) + len(OTHER) == 58

KO_HEAD = ["메디", "바이오", "헬스", "케어", "덴탈", "오르소", "아이", "셀", "젠", "뉴로", "루미",
           "소노", "하이", "그린", "스마트", "휴먼"]
EN_HEAD = ["Medi", "Bio", "Health", "Care", "Dental", "Ortho", "Eye", "Cell", "Gen", "Neuro",
           "Lumi", "Sono", "Hi", "Green", "Smart", "Human"]
KO_TAIL = ["텍", "랩", "메드", "웍스", "로직스", "닉스", "온", "플러스"]
EN_TAIL = ["tech", "lab", "med", "works", "logix", "nix", "on", "plus"]
CLUSTERS = ["production", "production", "hospital", "research", "full_cycle"]
ALL_MARKETS = ["VN", "TH", "ID", "MY", "PH", "JP", "CN", "MN", "KZ", "UZ", "AE", "SA", "IN",
               "DE", "US"]


def escape(text):
    """Escapes the separators of the products column (docs/intake.md)."""
    return text.replace("\\", "\\\\").replace(";", "\\;").replace("|", "\\|").replace(",", "\\,")


pairs = [(h, t) for h in range(len(KO_HEAD)) for t in range(len(KO_TAIL))]
rng.shuffle(pairs)
venue_of = []
for vid, _, _, tables in VENUES:
    venue_of += [(vid, f"T{k + 1}") for k in range(tables)]
assert len(venue_of) == 58

companies = []
for n in range(58):
    h, t = pairs[n]
    ext = f"C-{n + 1:03d}"
    if n < len(NAMED):
        en, ko, desc, cats, marks, hs = NAMED[n]
        products = [(en, f"{ko}. {desc}", marks, hs)]
    else:
        cat, en, ko, hs, marks = OTHER[n - len(NAMED)]
        cats = [cat]
        desc = f"{ko}. {en} made in Korea; export models with English manuals."
        products = [(en, desc, marks, hs)]
        if rng.random() < 0.3:
            products.append((en + " consumables", f"{ko} 전용 소모품", marks[:1], hs))
    all_marks = sorted({m for p in products for m in p[2]} | ({"ISO 13485"} if rng.random() < 0.5 else set()))
    markets = sorted(rng.sample(ALL_MARKETS, rng.randint(2, 5)))
    langs = ["ko", "en"] + (["zh"] if rng.random() < 0.15 else []) + (["ja"] if rng.random() < 0.1 else [])
    venue, table = venue_of[n]
    companies.append({
        "role": "company",
        "external_id": ext,
        "name_ko": f"(주){KO_HEAD[h]}{KO_TAIL[t]}",
        "name_en": f"{EN_HEAD[h]}{EN_TAIL[t]} Co., Ltd.",
        "email": f"export@{EN_HEAD[h].lower()}{EN_TAIL[t]}.example.kr",
        "categories": ";".join(cats),
        "products": ";".join("|".join([escape(p[0]), escape(p[1]), ",".join(escape(m) for m in p[2]), p[3]])
                             for p in products),
        "certifications": ";".join(all_marks),
        "target_markets": ";".join(markets),
        "languages": ";".join(langs),
        "min_deal": f"{rng.choice([10, 20, 30, 50, 100])}000.00",
        "min_deal_currency": "USD",
        "venue": venue,
        "table": table,
        "seats": 2 if n % 11 == 0 else 1,
        "unavailable_slots": ";".join(str(s) for s in sorted(rng.sample(range(SLOT_COUNT), rng.randint(0, 3)))),
        "cluster_type": rng.choice(CLUSTERS),
    })
# FACT: the oxygen-generator and water-heater makers closed the named deals.
companies[5]["target_markets"] = "ID;PH;TH;VN"
companies[6]["target_markets"] = "JP;US"

# ---------------------------------------------------------------- buyers
# FACT: 50 buyers from 15 countries. The split per country is assumed.
COUNTRIES = [  # code, count, languages, currency, organisation words, contact names
    ("VN", 6, "vi;en", "USD", ["Hanoi", "Saigon", "Da Nang", "Mekong", "Hai Phong", "Hue"],
     ["Nguyen Van An", "Tran Thi Binh", "Le Minh Chau", "Pham Quoc Dung", "Hoang Thu Ha", "Vo Thanh Long"]),
    ("TH", 5, "th;en", "USD", ["Bangkok", "Chiang Mai", "Siam", "Phuket", "Khon Kaen"],
     ["Somchai Prasert", "Nattaya Wongsa", "Kittipong Chai", "Siriporn Thong", "Anan Boonma"]),
    ("US", 4, "en", "USD", ["Pacific", "Lakeside", "Keystone", "Redwood"],
     ["Emily Carter", "James Holloway", "Maria Delgado", "Kevin Brooks"]),
    ("ID", 4, "id;en", "USD", ["Jakarta", "Surabaya", "Bandung", "Nusantara"],
     ["Budi Santoso", "Siti Rahayu", "Agus Wijaya", "Dewi Lestari"]),
    ("MY", 3, "ms;en", "USD", ["Kuala Lumpur", "Penang", "Johor"],
     ["Ahmad Faizal", "Nurul Huda", "Lim Wei Jie"]),
    ("PH", 3, "tl;en", "USD", ["Manila", "Cebu", "Davao"],
     ["Maria Santos", "Jose Reyes", "Ana Cruz"]),
    ("JP", 3, "ja;en", "JPY", ["Osaka", "Yokohama", "Fukuoka"],
     ["Sato Haruki", "Suzuki Aiko", "Takahashi Ren"]),
    ("CN", 3, "zh;en", "USD", ["Shenzhen", "Hangzhou", "Qingdao"],
     ["Wang Lei", "Li Na", "Zhang Wei"]),
    ("MN", 3, "mn;ru", "USD", ["Ulaanbaatar", "Erdenet", "Darkhan"],
     ["Bat-Erdene Tsend", "Oyuna Ganbold", "Tuvshin Bold"]),
    ("KZ", 3, "kk;ru", "USD", ["Almaty", "Astana", "Shymkent"],
     ["Aidos Nurlanov", "Dana Sarsenova", "Yerlan Abenov"]),
    ("UZ", 3, "uz;ru", "USD", ["Tashkent", "Samarkand", "Bukhara"],
     ["Jasur Karimov", "Malika Yusupova", "Sherzod Rakhimov"]),
    ("AE", 3, "ar;en", "USD", ["Dubai", "Abu Dhabi", "Sharjah"],
     ["Omar Al Mansoori", "Fatima Al Hashemi", "Khalid Al Nuaimi"]),
    ("SA", 2, "ar;en", "USD", ["Riyadh", "Jeddah"],
     ["Abdullah Al Qahtani", "Noura Al Harbi"]),
    ("IN", 3, "hi;en", "USD", ["Mumbai", "Bengaluru", "Chennai"],
     ["Rahul Sharma", "Priya Nair", "Arjun Iyer"]),
    ("DE", 2, "de;en", "EUR", ["Rhein", "Bavaria"],
     ["Lukas Schneider", "Anna Becker"]),
]
assert sum(c[1] for c in COUNTRIES) == 50 and len(COUNTRIES) == 15

TYPES = ["distributor", "importer", "hospital", "retailer", "investor", "manufacturer"]
ORG_SUFFIX = {"distributor": "Medical Distribution", "importer": "Health Import", "hospital": "General Hospital",
              "retailer": "Health Retail", "investor": "Health Ventures", "manufacturer": "Medical Manufacturing",
              "government": "Provincial Health Office", "other": "Laboratory Services"}
MARK = {"VN": "MOH-VN", "TH": "Thai FDA", "US": "FDA", "ID": "AKL", "MY": "MDA", "PH": "FDA-PH", "JP": "PMDA",
        "CN": "NMPA", "MN": "MOH-MN", "KZ": "EAEU", "UZ": "UZ-MOH", "AE": "MOHAP", "SA": "SFDA", "IN": "CDSCO",
        "DE": "CE"}
company_cats = sorted({c for co in companies for c in co["categories"].split(";")})

buyers = []
for code, count, langs, currency, places, people in COUNTRIES:
    for k in range(count):
        n = len(buyers)
        btype = rng.choice(TYPES)
        cats = sorted(rng.sample(company_cats, rng.randint(1, 3)))
        sought = "Looking for " + ", ".join(c.split(".")[1].replace("_", " ") for c in cats) + " products for our market."
        buyers.append({
            "role": "buyer", "external_id": f"B-{code}-{k + 1:02d}",
            "organisation": f"{places[k]} {ORG_SUFFIX[btype]}", "contact_name": people[k],
            "email": f"{people[k].split()[0].lower()}.{n + 1}@buyer.example", "country": code,
            "buyer_type": btype, "categories": ";".join(cats), "products_sought": sought,
            "certifications": MARK[code], "budget_min": f"{rng.choice([20, 50, 100])}000.00",
            "budget_max": f"{rng.choice([200, 500, 1000, 2000])}000.00", "budget_currency": currency,
            "languages": langs, "hosted": "true" if rng.random() < 0.4 else "false",
            "unavailable_slots": ";".join(str(s) for s in sorted(rng.sample(range(SLOT_COUNT), rng.randint(0, 4)))),
            "must_meet": ";".join(sorted(rng.sample([c["external_id"] for c in companies
                                                     if set(c["categories"].split(";")) & set(cats)], 1)))
            if rng.random() < 0.3 else "",
            "no_thanks": "", "met_before": "",
        })
        if currency == "JPY":
            buyers[-1]["budget_min"] = "3000000"
            buyers[-1]["budget_max"] = "150000000"

# FACT-based buyers: the Vietnamese hospital that signed for oxygen generators, the Thai
# government health official, and the US lab-services firm that signed the water-heater MOU.
buyers[0].update({"organisation": "Hanoi Provincial General Hospital", "buyer_type": "hospital",
                  "categories": "hospital_equipment.respiratory",
                  "products_sought": "Medical oxygen generators (PSA) for a 500-bed hospital,\n"
                                     "installation and maintenance included. 의료용 산소발생기.",
                  "budget_min": "500000.00", "budget_max": "2000000.00", "hosted": "true",
                  "must_meet": "C-006"})
th = next(b for b in buyers if b["country"] == "TH")
th.update({"organisation": "Provincial Public Health Office (Thai Ministry of Public Health)",
           "buyer_type": "government", "categories": "digital_health.ai_diagnosis;ivd.pathology;ophthalmic.diagnostics",
           "products_sought": "AI screening for public health programmes: cervical cancer, eye health.",
           "hosted": "true"})
us = next(b for b in buyers if b["country"] == "US")
us.update({"organisation": "Keystone Laboratory Services", "buyer_type": "other",
           "categories": "home_health.water;ivd.immunoassay",
           "products_sought": "Laboratory water heating and purification equipment; lab analysers.",
           "certifications": "FDA", "must_meet": "C-007"})

BUYER_COLUMNS = ["role", "external_id", "organisation", "contact_name", "email", "country", "buyer_type",
                 "categories", "products_sought", "certifications", "budget_min", "budget_max",
                 "budget_currency", "languages", "hosted", "unavailable_slots", "must_meet", "no_thanks",
                 "met_before"]
COMPANY_COLUMNS = ["role", "external_id", "name_ko", "name_en", "email", "categories", "products",
                   "certifications", "target_markets", "languages", "min_deal", "min_deal_currency", "venue",
                   "table", "seats", "unavailable_slots", "cluster_type"]


def write_csv(name, columns, rows, encoding):
    with open(os.path.join(HERE, name), "w", encoding=encoding, newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(rows)


with open(os.path.join(HERE, "event.json"), "w", encoding="utf-8") as f:
    json.dump(event, f, ensure_ascii=False, indent=2)
    f.write("\n")
write_csv("buyers.csv", BUYER_COLUMNS, buyers, "utf-8-sig")  # with a BOM, as Excel saves it
write_csv("companies.csv", COMPANY_COLUMNS, companies, "utf-8")

# ---------------------------------------------------------------- meetings, outcomes, deals
# SYNTHETIC records made up to add up to the published outcome (MISSION.md): 229 held
# consultations worth USD 7.7M, 4 MOUs worth USD 2.1M, on-site contracts worth USD 1.8M. Only
# the totals and the two named deals are FACT; every pair, slot, value and rating is invented.
# A separate generator keeps the profiles above byte-identical to earlier runs.
deal_rng = random.Random(229)

HELD_MEETINGS = 229  # FACT: consultations held
SLOT_MINUTES = 30
DAY_SLOT_STARTS = ["09:30", "10:00", "10:30", "11:00", "11:30",            # morning
                   "13:30", "14:00", "14:30", "15:00", "16:00", "16:30", "17:00"]  # afternoon
assert len(DAY_SLOT_STARTS) == SLOTS_PER_DAY
MAX_PER_DAY = event["policies"]["max_meetings_per_day"]
HOSTED_MINIMUM = event["policies"]["hosted_buyer_minimum"]
MAX_PER_COMPANY = 8  # a fair spread: no company gets more than two a day on average
TRAVEL_MINUTES = {frozenset((f, t)): m for f, t, m in TRAVEL}


def minutes(hhmm):
    h, m = hhmm.split(":")
    return int(h) * 60 + int(m)


def slot_start(slot):
    """Minutes since the first day's midnight: real clock time, as the booking check uses."""
    return (slot // SLOTS_PER_DAY) * 24 * 60 + minutes(DAY_SLOT_STARTS[slot % SLOTS_PER_DAY])


def slot_day(slot):
    return slot // SLOTS_PER_DAY


def split(text):
    return [x for x in text.split(";") if x]


buyer_of = {b["external_id"]: b for b in buyers}
company_of = {c["external_id"]: c for c in companies}


class Timetable:
    """What booked meetings hold, with the checks POST /v1/events/{e}/bookings makes
    (docs/booking.md): unavailability, one meeting per buyer and slot, company seats, the daily
    maximum for both sides, travel between venues, and interpreter pools on duty."""

    def __init__(self):
        self.busy = {}         # (participant, slot) -> meetings
        self.per_day = {}      # (participant, day) -> meetings
        self.buyer_venue = {}  # (buyer, slot) -> venue
        self.pool_use = {}     # (pool index, slot) -> interpreters in use
        self.count = {}        # participant -> meetings
        self.pairs = set()

    def interpreter_pool(self, b, c, slot):
        """None when the pair shares a language, else the first pool (event order) with a
        free interpreter; False when no pool can serve."""
        bl, cl = split(b["languages"]), split(c["languages"])
        if set(bl) & set(cl):
            return None
        for k, (lang, count) in enumerate(INTERPRETERS):
            pair = {lang, "ko"}
            covers = any({x, y} == pair for x in bl for y in cl)
            if covers and self.pool_use.get((k, slot), 0) < count:
                return k
        return False

    def fits(self, b, c, slot):
        bid, cid = b["external_id"], c["external_id"]
        if (bid, cid) in self.pairs:
            return False
        if str(slot) in split(b["unavailable_slots"]) or str(slot) in split(c["unavailable_slots"]):
            return False
        if self.busy.get((bid, slot), 0) or self.busy.get((cid, slot), 0) >= int(c["seats"]):
            return False
        day = slot_day(slot)
        if self.per_day.get((bid, day), 0) >= MAX_PER_DAY or self.per_day.get((cid, day), 0) >= MAX_PER_DAY:
            return False
        for other in range(SLOT_COUNT):
            venue = self.buyer_venue.get((bid, other))
            if venue is None or venue == c["venue"] or other == slot:
                continue
            first, second = sorted((other, slot))
            gap = slot_start(second) - (slot_start(first) + SLOT_MINUTES)
            if gap < TRAVEL_MINUTES[frozenset((venue, c["venue"]))]:
                return False
        return self.interpreter_pool(b, c, slot) is not False

    def book(self, b, c, slot):
        bid, cid = b["external_id"], c["external_id"]
        pool = self.interpreter_pool(b, c, slot)
        if pool is not None:
            self.pool_use[(pool, slot)] = self.pool_use.get((pool, slot), 0) + 1
        for p in (bid, cid):
            self.busy[(p, slot)] = self.busy.get((p, slot), 0) + 1
            self.per_day[(p, slot_day(slot))] = self.per_day.get((p, slot_day(slot)), 0) + 1
            self.count[p] = self.count.get(p, 0) + 1
        self.buyer_venue[(bid, slot)] = c["venue"]
        self.pairs.add((bid, cid))

    def best_slot(self, b, c, days=range(len(DATES))):
        """The slot on the day where both sides have least so far (spreads each agenda over the
        three days), earliest first."""
        candidates = [s for s in range(SLOT_COUNT) if slot_day(s) in days and self.fits(b, c, s)]
        if not candidates:
            return None
        load = lambda s: (self.per_day.get((b["external_id"], slot_day(s)), 0) +
                          self.per_day.get((c["external_id"], slot_day(s)), 0), s)
        return min(candidates, key=load)


def pair_score(b, c):
    """Why a buyer would sit down with a company: a must-meet, shared categories, the buyer's
    country among the company's target markets, a shared language (no interpreter needed)."""
    score = 100 if c["external_id"] in split(b["must_meet"]) else 0
    score += 10 * len(set(split(b["categories"])) & set(split(c["categories"])))
    score += 4 if b["country"] in split(c["target_markets"]) else 0
    score += 2 if set(split(b["languages"])) & set(split(c["languages"])) else 0
    return score


timetable = Timetable()
meetings = []


def place(bid, cid, slot):
    timetable.book(buyer_of[bid], company_of[cid], slot)
    meetings.append({"buyer": bid, "company": cid, "slot": slot})


# The pairs behind the published deals first (FACT for the first two): the contract with the
# Vietnamese hospital was signed on site, so their meeting is on the first day; the US
# lab-services firm meets the water-heater maker on the second day; the Thai government office
# meets the cervical-cancer screening maker (its MOU is synthetic).
us_buyer = us["external_id"]
th_buyer = th["external_id"]
for bid, cid, day in (("B-VN-01", "C-006", 0), (us_buyer, "C-007", 1), (th_buyer, "C-002", 0)):
    place(bid, cid, timetable.best_slot(buyer_of[bid], company_of[cid], [day]))

# Every buyer's wish list, best first (ties broken at random, reproducibly).
ranked = {}
for b in buyers:
    order = sorted(companies, key=lambda c: (-pair_score(b, c), deal_rng.random()))
    ranked[b["external_id"]] = [c["external_id"] for c in order]

# How many meetings each buyer gets: hosted buyers the policy's minimum, the others share the
# rest (those with the strongest wish lists first), so that the total is the published 229.
hosted = [b["external_id"] for b in buyers if b["hosted"] == "true"]
others = sorted((b["external_id"] for b in buyers if b["hosted"] != "true"),
                key=lambda bid: -sum(pair_score(buyer_of[bid], company_of[cid]) for cid in ranked[bid][:4]))
target = {bid: HOSTED_MINIMUM for bid in hosted}
rest = HELD_MEETINGS - HOSTED_MINIMUM * len(hosted)
for k, bid in enumerate(others):
    target[bid] = rest // len(others) + (1 if k < rest % len(others) else 0)
assert sum(target.values()) == HELD_MEETINGS

# Round robin over buyers: each takes its best remaining company that still has room.
while len(meetings) < HELD_MEETINGS:
    progressed = False
    for b in buyers:
        bid = b["external_id"]
        if timetable.count.get(bid, 0) >= target[bid]:
            continue
        for cid in ranked[bid]:
            c = company_of[cid]
            if (bid, cid) in timetable.pairs or timetable.count.get(cid, 0) >= MAX_PER_COMPANY:
                continue
            slot = timetable.best_slot(b, c)
            if slot is not None:
                place(bid, cid, slot)
                progressed = True
                break
    assert progressed, "the timetable is full before 229 meetings"



def pools_covering(m):
    """How many interpreter pools could serve the pair (99: it needs none)."""
    bl, cl = split(buyer_of[m["buyer"]]["languages"]), split(company_of[m["company"]]["languages"])
    if set(bl) & set(cl):
        return 99
    return sum(1 for lang, _ in INTERPRETERS if any({x, y} == {lang, "ko"} for x in bl for y in cl))


# The booking order is the file order, and each booking takes the first pool with a free
# interpreter: in a slot, pairs that only one pool can serve book before the flexible ones (a
# Mongolian buyer can use the Russian or the Mongolian pool, a Kazakh buyer only the Russian).
meetings.sort(key=lambda m: (m["slot"], pools_covering(m), company_of[m["company"]]["venue"], m["company"]))
replay = Timetable()
for m in meetings:
    assert replay.fits(buyer_of[m["buyer"]], company_of[m["company"]], m["slot"]), m
    replay.book(buyer_of[m["buyer"]], company_of[m["company"]], m["slot"])
for n, m in enumerate(meetings):
    c = company_of[m["company"]]
    m.update({"id": f"M-{n + 1:03d}", "day": DATES[slot_day(m["slot"])],
              "start": DAY_SLOT_STARTS[m["slot"] % SLOTS_PER_DAY], "venue": c["venue"], "table": c["table"]})
meeting_of = {(m["buyer"], m["company"]): m for m in meetings}


def cents(amount):
    return f"{amount // 100}.{amount % 100:02d}"


def usd(amount_cents):
    return {"amount": cents(amount_cents), "currency": "USD"}


# ---- deals: FACT the two named ones and the totals; the other three MOUs are synthetic.
CONTRACT = ("B-VN-01", "C-006", 1_800_000_00)
MOUS = [(us_buyer, "C-007", 1_000_000_00), (th_buyer, "C-002", 500_000_00)]
# The two strongest remaining pairs sign the other MOUs (USD 350k and 250k: 2.1M in all).
strongest = sorted((m for m in meetings if (m["buyer"], m["company"]) not in
                    {(CONTRACT[0], CONTRACT[1])} | {(b, c) for b, c, _ in MOUS}),
                   key=lambda m: (-pair_score(buyer_of[m["buyer"]], company_of[m["company"]]), m["id"]))
MOUS += [(strongest[0]["buyer"], strongest[0]["company"], 350_000_00),
         (strongest[1]["buyer"], strongest[1]["company"], 250_000_00)]
assert sum(v for _, _, v in MOUS) == 2_100_000_00

deals = []
for n, (bid, cid, value) in enumerate([CONTRACT] + MOUS):
    m = meeting_of[(bid, cid)]
    deal = {"kind": "contract" if n == 0 else "mou", "value": usd(value), "signed_on": m["day"],
            "on_site": True}
    deals.append({"id": f"D-{n + 1:02d}", "buyer": bid, "company": cid, "meetings": [m["id"]], "deal": deal})

# ---- outcomes: every meeting held (the press gives no no-show figure, so none is invented),
# reported by the organizer's desk. A deal's meeting is worth the deal; the other 224 share
# the rest of USD 7.7M, weighted by a random size and the rating. Every 15th is quoted in KRW
# in whole millions: at the event's rate (0.000770 USD per KRW) that is exactly USD 770 a
# million, so the USD total stays exact to the cent.
TOTAL_VALUE = 7_700_000_00
KRW_TO_USD_CENTS_PER_MILLION = 770_00
deal_value = {(d["buyer"], d["company"]): int(d["deal"]["value"]["amount"].replace(".", "")) for d in deals}
RATING_WEIGHT = {"no_real_interest": 0.3, "informative": 1.0, "cooperation_likely": 2.0}
outcomes = {}
plain = [m for m in meetings if (m["buyer"], m["company"]) not in deal_value]
ratings = {m["id"]: deal_rng.choices(list(RATING_WEIGHT), weights=[2, 5, 3])[0] for m in plain}
weights = {m["id"]: deal_rng.lognormvariate(0, 0.6) * RATING_WEIGHT[ratings[m["id"]]] for m in plain}
rest_cents = TOTAL_VALUE - sum(deal_value.values())
scale = rest_cents / sum(weights.values())
values = {}
for k, m in enumerate(plain):
    if k % 15 == 7:  # KRW, whole millions
        millions = max(1, round(weights[m["id"]] * scale / KRW_TO_USD_CENTS_PER_MILLION))
        values[m["id"]] = ("KRW", millions, millions * KRW_TO_USD_CENTS_PER_MILLION)
    else:  # USD, whole hundreds of dollars
        amount = max(100_00, round(weights[m["id"]] * scale / 100_00) * 100_00)
        values[m["id"]] = ("USD", amount, amount)
# The rounding left a remainder: the largest USD consultation absorbs it, to the cent.
largest = max((i for i in values if values[i][0] == "USD"), key=lambda i: values[i][2])
remainder = rest_cents - sum(v[2] for v in values.values())
values[largest] = ("USD", values[largest][1] + remainder, values[largest][2] + remainder)
assert values[largest][1] > 0 and sum(v[2] for v in values.values()) == rest_cents

outcome_list = []
for m in meetings:
    pair = (m["buyer"], m["company"])
    if pair in deal_value:
        kind = "contract" if pair == (CONTRACT[0], CONTRACT[1]) else "MOU"
        report = {"outcome": "held", "rating": "cooperation_likely", "value": usd(deal_value[pair]),
                  "follow_up": True, "notes": f"{kind} signed at the event."}
    else:
        currency, amount, _ = values[m["id"]]
        value = usd(amount) if currency == "USD" else {"amount": f"{amount * 1_000_000}", "currency": "KRW"}
        report = {"outcome": "held", "rating": ratings[m["id"]], "value": value,
                  "follow_up": ratings[m["id"]] == "cooperation_likely"}
    outcome_list.append({"meeting": m["id"], "report": report})
assert len(outcome_list) == HELD_MEETINGS


def write_json(name, value, one_per_line):
    """Long lists one record per line (easy to grep and diff), short ones indented."""
    with open(os.path.join(HERE, name), "w", encoding="utf-8") as f:
        if one_per_line:
            f.write("[\n" + ",\n".join(json.dumps(v, ensure_ascii=False) for v in value) + "\n]\n")
        else:
            json.dump(value, f, ensure_ascii=False, indent=2)
            f.write("\n")


write_json("meetings.json", [{k: m[k] for k in ("id", "buyer", "company", "slot", "day", "start", "venue", "table")}
                             for m in meetings], True)
write_json("outcomes.json", outcome_list, True)
write_json("deals.json", deals, False)
