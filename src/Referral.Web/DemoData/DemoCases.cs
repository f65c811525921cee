namespace Referral.Web.DemoData;

/// <summary>A laboratory test the demo reports: LOINC code, unit and upper reference limit (null for a coded result).</summary>
internal sealed record DemoLabTest(string Loinc, string Display, string? Unit, string? UcumCode, decimal? UpperLimit)
{
    public static readonly DemoLabTest Afp = new("1834-1", "甲胎蛋白 Alpha-1-Fetoprotein [Mass/volume] in Serum or Plasma", "ng/mL", "ng/mL", 20m);
    public static readonly DemoLabTest Cea = new("2039-6", "癌胚抗原 Carcinoembryonic Ag [Mass/volume] in Serum or Plasma", "ng/mL", "ng/mL", 5m);
    public static readonly DemoLabTest Ca199 = new("24108-3", "糖类抗原19-9 Cancer Ag 19-9 [Units/volume] in Serum or Plasma", "U/mL", "[U]/mL", 37m);
    public static readonly DemoLabTest HbsAg = new("5196-1", "乙肝表面抗原 Hepatitis B virus surface Ag [Presence] in Serum or Plasma by Immunoassay", null, null, null);
}

/// <summary>How a test comes out in a case: the range values are drawn from at diagnosis (a coded test is positive).</summary>
internal sealed record DemoLab(DemoLabTest Test, double Low, double High);

/// <summary>A report text: the study performed and its conclusion (Chinese, then English).</summary>
internal sealed record DemoReport(string Study, string Conclusion);

/// <summary>A medicine with its ATC code and the dosage as a clinician writes it.</summary>
internal sealed record DemoMedication(string Atc, string Name, string Dosage);

/// <summary>
/// One kind of patient history the demo generates: the main diagnosis (ICD-10), the background problems, what imaging
/// and pathology found, which labs are followed, and the treatment.
/// </summary>
internal sealed record DemoCase(
    string Key,
    string Icd10,
    string Diagnosis,
    string? Stage,
    string Department,
    bool FemaleOnly,
    IReadOnlyList<(string Icd10, string Display, double Probability)> Background,
    DemoReport Imaging,
    DemoReport? Pathology,
    IReadOnlyList<DemoLab> Labs,
    IReadOnlyList<DemoMedication> Medications)
{
    public bool IsCancer => Icd10.StartsWith('C');
}

/// <summary>The catalogue of demo cases: the cancers the alliance refers most, and hepatitis-B carriers under liver surveillance.</summary>
internal static class DemoCases
{
    private static readonly (string, string, double) HepatitisB = ("B18.1", "慢性乙型病毒性肝炎 Chronic viral hepatitis B without delta-agent", 1.0);

    private static readonly DemoMedication Entecavir = new("J05AF10", "恩替卡韦 Entecavir", "0.5 mg 口服 每日一次 0.5 mg orally once daily");

    public static readonly IReadOnlyList<DemoCase> All =
    [
        new("liver", "C22.0", "肝细胞癌 Liver cell carcinoma", "CNLC IIa / BCLC B", "肝胆外科 Hepatobiliary surgery", false,
            [HepatitisB, ("K74.6", "肝硬化 Other and unspecified cirrhosis of liver", 0.6)],
            new("上腹部增强CT Contrast-enhanced CT of the upper abdomen",
                "肝右叶 4.2 cm 占位，动脉期明显强化、门静脉期廓清，符合肝细胞癌（LI-RADS 5）；肝硬化，脾大。" +
                " Right-lobe 4.2 cm mass with arterial-phase hyperenhancement and portal-venous washout, consistent with hepatocellular carcinoma (LI-RADS 5); cirrhosis, splenomegaly."),
            new("肝穿刺活检病理 Liver core biopsy pathology",
                "肝细胞癌，中分化（Edmondson-Steiner II 级），未见脉管癌栓。" +
                " Hepatocellular carcinoma, moderately differentiated (Edmondson-Steiner grade II); no vascular invasion seen."),
            [new(DemoLabTest.Afp, 180, 3000), new(DemoLabTest.HbsAg, 1, 1)],
            [Entecavir, new("L01EX08", "仑伐替尼 Lenvatinib", "8 mg 口服 每日一次 8 mg orally once daily")]),
        new("colon", "C18.7", "乙状结肠恶性肿瘤 Malignant neoplasm of sigmoid colon", "IIIB (pT3N1bM0)", "胃肠外科 Gastrointestinal surgery", false,
            [],
            new("胸腹盆增强CT Contrast-enhanced CT of chest, abdomen and pelvis",
                "乙状结肠肠壁不规则增厚，长约 5 cm，周围见数枚肿大淋巴结，未见远处转移。" +
                " Irregular wall thickening of the sigmoid colon over about 5 cm with several enlarged pericolic lymph nodes; no distant metastasis."),
            new("结肠镜活检病理 Colonoscopic biopsy pathology",
                "乙状结肠中分化腺癌，错配修复蛋白表达完整（pMMR）。" +
                " Moderately differentiated adenocarcinoma of the sigmoid colon, mismatch-repair proficient (pMMR)."),
            [new(DemoLabTest.Cea, 6, 60), new(DemoLabTest.Ca199, 20, 150)],
            [new("L01BC06", "卡培他滨 Capecitabine", "1000 mg/m² 口服 每日两次 第1-14天 每3周 1000 mg/m² orally twice daily, days 1-14 every 3 weeks"),
             new("L01XA03", "奥沙利铂 Oxaliplatin", "130 mg/m² 静脉滴注 第1天 每3周 130 mg/m² IV on day 1 every 3 weeks")]),
        new("lung", "C34.1", "肺上叶恶性肿瘤 Malignant neoplasm of upper lobe, bronchus or lung", "IIIA (cT2bN2M0)", "胸外科 Thoracic surgery", false,
            [],
            new("胸部增强CT Contrast-enhanced chest CT",
                "右肺上叶 3.1 cm 分叶状结节，可见毛刺及胸膜牵拉，纵隔 4R 区淋巴结肿大。" +
                " 3.1 cm lobulated, spiculated nodule in the right upper lobe with pleural retraction; enlarged mediastinal station 4R lymph node."),
            new("CT引导下肺穿刺活检病理 CT-guided lung biopsy pathology",
                "浸润性腺癌（腺泡为主型），EGFR 19 号外显子缺失突变。" +
                " Invasive adenocarcinoma, acinar predominant; EGFR exon 19 deletion."),
            [new(DemoLabTest.Cea, 3, 40)],
            [new("L01EB04", "奥希替尼 Osimertinib", "80 mg 口服 每日一次 80 mg orally once daily")]),
        new("breast", "C50.4", "乳房外上象限恶性肿瘤 Malignant neoplasm of upper-outer quadrant of breast", "IIA (cT2N0M0)", "乳腺外科 Breast surgery", true,
            [],
            new("乳腺超声 Breast ultrasound",
                "左乳外上象限 2.3 cm 不规则低回声肿块，边缘成角，BI-RADS 5 类。" +
                " 2.3 cm irregular hypoechoic mass with angular margins in the upper-outer quadrant of the left breast, BI-RADS 5."),
            new("空芯针穿刺活检病理 Core needle biopsy pathology",
                "浸润性导管癌，组织学 2 级，ER 90%+，PR 60%+，HER2 1+，Ki-67 20%。" +
                " Invasive ductal carcinoma, histological grade 2; ER 90%, PR 60%, HER2 1+, Ki-67 20%."),
            [new(DemoLabTest.Cea, 1, 8)],
            [new("L02BG04", "来曲唑 Letrozole", "2.5 mg 口服 每日一次 2.5 mg orally once daily")]),
        new("gastric", "C16.3", "胃窦恶性肿瘤 Malignant neoplasm of pyloric antrum", "IIIA (cT3N1M0)", "胃肠外科 Gastrointestinal surgery", false,
            [],
            new("上腹部增强CT Contrast-enhanced CT of the upper abdomen",
                "胃窦壁不均匀增厚，最厚约 1.6 cm，浆膜面毛糙，胃周淋巴结肿大。" +
                " Uneven thickening of the gastric antral wall up to 1.6 cm with an irregular serosal surface and enlarged perigastric lymph nodes."),
            new("胃镜活检病理 Endoscopic biopsy pathology",
                "胃窦低分化腺癌，Lauren 分型弥漫型，HER2 阴性。" +
                " Poorly differentiated adenocarcinoma of the antrum, Lauren diffuse type, HER2 negative."),
            [new(DemoLabTest.Cea, 3, 30), new(DemoLabTest.Ca199, 20, 200)],
            [new("L01BC53", "替吉奥 Tegafur, gimeracil and oteracil (S-1)", "40 mg 口服 每日两次 第1-14天 每3周 40 mg orally twice daily, days 1-14 every 3 weeks"),
             new("A02BC01", "奥美拉唑 Omeprazole", "20 mg 口服 每日一次 20 mg orally once daily")]),
        new("hepatitis-b", "B18.1", "慢性乙型病毒性肝炎 Chronic viral hepatitis B without delta-agent", null, "感染科 Infectious diseases", false,
            [("K74.6", "肝硬化 Other and unspecified cirrhosis of liver", 0.3)],
            new("肝脏超声 Liver ultrasound",
                "肝实质回声增粗，未见明确占位，门静脉不宽。每 6 个月复查超声及甲胎蛋白。" +
                " Coarse hepatic echotexture, no focal lesion; portal vein not dilated. Repeat ultrasound and AFP every 6 months."),
            null,
            [new(DemoLabTest.Afp, 2, 15), new(DemoLabTest.HbsAg, 1, 1)],
            [Entecavir]),
    ];
}
