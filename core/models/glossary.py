"""News words FreeDict's English-Indonesian dictionary lacks, added to it when it loads (``load_dictionary``).

FreeDict eng-ind has ~9,800 headwords and few of the words disaster, health, crime and money reports are made of:
"case", "shelter", "survivor", "displaced", "injured", "aid", "suspect" have no entry (43 of 96 common news words
checked on 2026-12-02). Without them an English question over Indonesian reports cannot name what it counts
("How many dengue *cases*?": "kasus") nor what it says about it ("currently *displaced*": "mengungsi"). The
list is written from general news usage, one English word (its base form; ``dictionary.lemmas`` finds inflected
ones) to the Indonesian words reports use for it; it is not fitted to any question set.
"""

from __future__ import annotations

NEWS_GLOSSARY: dict[str, list[str]] = {
    # people a report counts
    "case": ["kasus"],
    "resident": ["warga", "penduduk"],
    "survivor": ["selamat", "penyintas"],
    "survive": ["selamat"],
    "rescuer": ["penyelamat", "sar", "personel", "petugas"],
    "volunteer": ["relawan", "sukarelawan"],
    "evacuee": ["pengungsi"],
    "casualty": ["korban"],
    "victim": ["korban"],
    "suspect": ["tersangka"],
    "crew": ["awak", "kru"],
    # what happened to them
    "displaced": ["mengungsi", "pengungsi", "pengungsian"],
    "evacuate": ["evakuasi", "dievakuasi", "mengungsi"],
    "deploy": ["dikerahkan", "diterjunkan", "mengerahkan"],
    "evacuation": ["evakuasi", "pengungsian"],
    "shelter": ["pengungsian", "penampungan", "posko"],
    "injured": ["luka", "terluka", "cedera"],
    "die": ["meninggal", "tewas"],
    "died": ["meninggal", "tewas"],
    "dead": ["meninggal", "tewas"],
    "killed": ["tewas", "meninggal"],
    "hospitalized": ["dirawat", "rawat"],
    "hospitalised": ["dirawat", "rawat"],
    "hospital": ["rumah sakit", "rs", "dirawat"],
    "infected": ["terinfeksi", "terjangkit"],
    "confirmed": ["terkonfirmasi", "positif"],
    "recovered": ["sembuh", "pulih"],
    "affected": ["terdampak"],
    "missing": ["hilang"],
    "buried": ["tertimbun", "terkubur"],
    "trapped": ["terjebak", "terperangkap"],
    "rescue": ["penyelamatan", "evakuasi", "sar"],
    "arrested": ["ditangkap"],
    "detained": ["ditahan"],
    "charged": ["didakwa"],
    "destroyed": ["hancur", "rusak"],
    "outbreak": ["wabah", "kejadian luar biasa", "klb"],
    # ships and sinkings
    "vessel": ["kapal"],
    "aboard": ["penumpang", "di atas kapal"],
    "sank": ["tenggelam"],
    "capsized": ["terbalik", "tenggelam"],
    # money
    "aid": ["bantuan"],
    "fund": ["dana"],
    "budget": ["anggaran", "dana"],
    "funds": ["dana"],
    "allocate": ["mengalokasikan", "alokasi"],
    "contingency": ["darurat", "tak terduga"],
    "loss": ["kerugian"],
    "losses": ["kerugian"],
    "worth": ["senilai", "bernilai"],
    "trillion": ["triliun"],
    # work on a site
    "excavator": ["ekskavator", "alat berat"],
    "removed": ["dipindahkan", "dibersihkan"],
    "cleared": ["dibersihkan"],
    "subdistrict": ["kecamatan", "kelurahan"],
}
