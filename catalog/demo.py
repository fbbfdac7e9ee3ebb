"""Demo catalogues modelled on Xi'an's published lists: 13 agencies, every field, every workflow state.

Every write goes through ``catalog.services`` (so the audit trail and the timelines are real).
Idempotent: an agency that already has a catalogue is left alone.
"""

from django.conf import settings
from django.contrib.auth.models import Group

from portal import roles, two_factor
from portal.models import Agency, User

from . import importing, services
from .models import LOW_BASIS_LEVELS, Catalogue

# (code, field, 证明名称, 证明用途, 事项类型, 设定依据, 效力层级, 开具单位, 行使层级, 核查方式, 时限, 不适用: (类别, 原因) or None)
L, C, B, OT = "行政许可", "行政确认", "行政给付", "其他"
MATTERS = {
    "610100-SFJ": [
        ("legal_service", "经济困难证明", "申请法律援助", OT, "《中华人民共和国法律援助法》（主席令第九十三号）第四十一条", "法律",
         "乡镇人民政府、街道办事处", "县级", "数据共享核查、部门协查", 10, None),
        ("legal_service", "完全民事行为能力证明", "律师执业核准", L, "《中华人民共和国律师法》第七条第一项", "法律", "公安机关", "市级",
         "部门协查", 15, None),
        ("legal_service", "无犯罪记录证明", "律师执业核准", L, "《中华人民共和国律师法》第七条第二项", "法律", "公安机关", "市级",
         "数据共享核查", 10, None),
        ("legal_service", "无犯罪记录证明", "基层法律服务工作者执业核准", L,
         "《基层法律服务工作者管理办法》（司法部令第138号）第十条", "部门规章", "公安机关", "市级", "数据共享核查", 10, None),
        ("legal_service", "学历证明", "公证员执业任命", L, "《中华人民共和国公证法》第十八条", "法律", "学校", "省级",
         "数据共享核查", 10, None),
        ("legal_service", "无犯罪记录证明", "司法鉴定人执业登记", L, "《司法鉴定人登记管理办法》（司法部令第96号）第十二条",
         "部门规章", "公安机关", "省级", "数据共享核查", 10, None),
        ("legal_service", "住所使用证明", "律师事务所设立许可", L, "《中华人民共和国律师法》第十八条第四项", "法律",
         "产权单位", "市级", "现场核查", 20, None),
    ],
    "610100-RSJ": [
        ("social_insurance", "与死者关系证明", "丧葬补助金、抚恤金申领", B, "《中华人民共和国社会保险法》第四十九条", "法律",
         "派出所、街道", "市级", "数据共享核查、部门协查", 10, None),
        ("social_insurance", "解除劳动合同证明", "失业保险金申领", B, "《失业保险条例》（国务院令第258号）第十六条",
         "行政法规", "原用人单位", "市级", "部门协查", 10, None),
        ("social_insurance", "居民死亡医学证明", "个人账户余额继承", B, "《中华人民共和国社会保险法》第十四条", "法律",
         "医疗机构", "市级", "数据共享核查", 5, None),
        ("qualification_exam", "工作经历证明", "职业技能等级认定报名", OT, "《中华人民共和国劳动法》第六十九条", "法律",
         "所在单位", "市级", "部门协查", 15, None),
        ("qualification_exam", "学历、工作年限证明", "专业技术人员资格考试报名", OT,
         "《职业资格证书制度暂行办法》（劳部发〔1994〕98号）第七条", "规范性文件", "学校、所在单位", "市级",
         "数据共享核查、部门协查", 20, None),
        ("social_insurance", "劳动能力鉴定结论", "工伤保险待遇核定", B, "《工伤保险条例》（国务院令第586号）第二十一条",
         "行政法规", "劳动能力鉴定委员会", "市级", "", None,
         ("人身健康、生命财产安全", "劳动能力鉴定结论是核定伤残待遇的直接依据，须由鉴定委员会出具，不能以承诺代替")),
    ],
    "610100-GAJ": [
        ("household", "未成年监护关系证明", "未成年人办理出入境证件", L, "《中华人民共和国出境入境管理法》第十一条", "法律",
         "—", "市级", "数据共享核查", 5, None),
        ("household", "亲属关系证明", "投靠亲属落户", L, "《中华人民共和国户口登记条例》第十条", "法律",
         "所在单位、村（居）委会", "县级", "部门协查", 10, None),
        ("household", "结婚证明", "夫妻投靠落户", L, "《中华人民共和国户口登记条例》第十条", "法律", "民政部门", "县级",
         "数据共享核查", 5, None),
        ("household", "学历证明", "人才引进落户", L, "《西安市户籍准入条件》（市政办发〔2017〕32号）第三条", "规范性文件",
         "学校", "市级", "数据共享核查", 5, None),
        ("household", "房屋产权证明", "购房落户", L, "《西安市户籍准入条件》（市政办发〔2017〕32号）第四条", "规范性文件",
         "不动产登记机构", "市级", "数据共享核查", 5, None),
        ("household", "出生医学证明", "出生登记", C, "《中华人民共和国户口登记条例》第七条", "法律", "医疗机构", "县级",
         "数据共享核查", 5, None),
        ("household", "死亡证明", "死亡注销户口", C, "《中华人民共和国户口登记条例》第八条", "法律", "医疗机构、公安机关",
         "县级", "数据共享核查", 5, None),
        ("other", "无犯罪记录证明", "民用枪支持枪许可", L, "《中华人民共和国枪支管理法》第十条", "法律", "公安机关", "市级",
         "", None, ("公共安全", "持枪许可直接涉及公共安全，须核验证明原件")),
        ("other", "爆破作业人员资格证明", "民用爆炸物品购买许可", L, "《民用爆炸物品安全管理条例》（国务院令第466号）第二十一条",
         "行政法规", "公安机关", "市级", "", None, ("公共安全", "民用爆炸物品流向直接涉及公共安全，纠错成本高")),
    ],
    "610100-MZJ": [
        ("social_assistance", "家庭收入证明", "最低生活保障申请", B, "《社会救助暂行办法》（国务院令第649号）第十一条",
         "行政法规", "所在单位、村（居）委会", "县级", "部门协查、公示核查", 15, None),
        ("social_assistance", "家庭财产状况证明", "特困人员救助供养", B, "《社会救助暂行办法》（国务院令第649号）第十五条",
         "行政法规", "村（居）委会", "县级", "数据共享核查", 15, None),
        ("social_assistance", "无固定收入证明", "临时救助申请", B, "《社会救助暂行办法》（国务院令第649号）第四十八条",
         "行政法规", "街道办事处", "县级", "部门协查", 10, None),
        ("social_assistance", "残疾证明", "困难残疾人生活补贴", B, "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》（国发〔2015〕52号）",
         "规范性文件", "残疾人联合会", "县级", "数据共享核查", 5, None),
        ("social_assistance", "死亡证明", "惠民殡葬补贴", B, "《殡葬管理条例》（国务院令第225号）第三条", "行政法规",
         "医疗机构", "县级", "数据共享核查", 5, None),
        ("other", "婚姻状况证明", "收养登记", C, "《中华人民共和国民法典》第一千一百零五条", "法律", "民政部门", "市级", "",
         None, ("人身健康、生命财产安全", "收养关系直接关系被收养未成年人的人身安全，须提交证明原件")),
    ],
    "610100-SCJ": [
        ("market_access", "企业登记住所场地证明", "公司登记", L, "《中华人民共和国市场主体登记管理条例》（国务院令第746号）第十六条",
         "行政法规", "—", "市级", "现场核查、公示核查", 20, None),
        ("market_access", "经营场所使用证明", "个体工商户登记", L, "《促进个体工商户发展条例》（国务院令第755号）第十一条",
         "行政法规", "产权人", "县级", "现场核查", 20, None),
        ("health_check", "从业人员健康证明", "食品经营许可", L, "《中华人民共和国食品安全法》第四十五条", "法律", "医疗机构",
         "县级", "数据共享核查", 10, None),
        ("market_access", "食品安全管理人员培训合格证明", "食品经营许可", L,
         "《食品经营许可和备案管理办法》（市场监管总局令第78号）第十二条", "部门规章", "培训机构", "县级", "部门协查", 10, None),
        ("other", "执业药师注册证明", "药品经营许可", L, "《中华人民共和国药品管理法》第五十二条第一项", "法律",
         "药品监督管理部门", "省级", "数据共享核查", 10, None),
        ("other", "特种设备安全技术条件证明", "特种设备使用登记", L, "《中华人民共和国特种设备安全法》第三十三条", "法律",
         "检验检测机构", "市级", "", None, ("人身健康、生命财产安全", "特种设备安全条件须经检验，不能以承诺代替")),
    ],
    "610100-JYJ": [
        ("qualification_exam", "思想品德情况的鉴定或者证明材料", "教师资格认定", L, "《教师资格条例》（国务院令第188号）第十四条",
         "行政法规", "所在单位或户籍所在地街道", "县级", "部门协查", 15, None),
        ("health_check", "体检合格证明", "教师资格认定", L, "《教师资格条例实施办法》（教育部令第10号）第八条", "部门规章",
         "指定医院", "县级", "", None, ("人身健康、生命财产安全", "教师体检结论关系学生人身健康，须由指定医院出具")),
        ("qualification_exam", "学历证明", "教师资格认定", L, "《中华人民共和国教师法》第十一条", "法律", "学校", "县级",
         "数据共享核查", 10, None),
        ("qualification_exam", "普通话水平测试等级证明", "教师资格认定", L, "《教师资格条例实施办法》（教育部令第10号）第八条",
         "部门规章", "语言文字工作机构", "县级", "数据共享核查", 10, None),
        ("household", "户籍证明", "义务教育随迁子女入学", OT, "《中华人民共和国义务教育法》第十二条", "法律", "公安机关",
         "县级", "数据共享核查", 5, None),
        ("other", "居住证明", "义务教育随迁子女入学", OT, "《居住证暂行条例》（国务院令第663号）第十二条", "行政法规",
         "公安机关", "县级", "数据共享核查", 5, None),
    ],
    "610100-WJW": [
        ("health_check", "健康体检证明", "医师执业注册", L, "《医师执业注册管理办法》（国家卫生计生委令第13号）第七条",
         "部门规章", "医疗机构", "市级", "数据共享核查", 10, None),
        ("health_check", "健康体检证明", "护士执业注册", L, "《护士条例》（国务院令第517号）第七条", "行政法规", "医疗机构",
         "市级", "数据共享核查", 10, None),
        ("health_check", "从业人员健康证明", "公共场所卫生许可", L, "《公共场所卫生管理条例》第七条", "行政法规", "医疗机构",
         "县级", "数据共享核查", 10, None),
        ("other", "生育情况证明", "生育登记", C, "《陕西省人口与计划生育条例》第二十二条", "地方性法规", "街道办事处", "县级",
         "数据共享核查", 5, None),
        ("other", "放射防护设施合格证明", "放射诊疗许可", L, "《放射诊疗管理规定》（卫生部令第46号）第十二条", "部门规章",
         "检测机构", "市级", "", None, ("人身健康、生命财产安全", "放射防护关系患者和医务人员生命健康")),
    ],
    "610100-YJJ": [
        ("other", "安全生产条件证明", "烟花爆竹经营（零售）许可", L, "《烟花爆竹安全管理条例》（国务院令第455号）第十九条",
         "行政法规", "—", "县级", "", None, ("公共安全", "烟花爆竹经营的安全生产条件须现场核验，不能以承诺代替")),
        ("other", "安全评价报告", "危险化学品经营许可", L, "《危险化学品安全管理条例》（国务院令第591号）第三十四条",
         "行政法规", "安全评价机构", "市级", "", None, ("公共安全", "危险化学品经营的安全条件不能以承诺代替")),
        ("other", "环境影响评价文件", "危险化学品建设项目安全条件审查", L, "《中华人民共和国环境影响评价法》第二十二条", "法律",
         "生态环境部门", "市级", "", None, ("生态环境保护", "建设项目对生态环境的影响须经审批，纠错成本高")),
        ("qualification_exam", "主要负责人任职证明", "生产经营单位主要负责人考核", OT,
         "《中华人民共和国安全生产法》第二十七条", "法律", "所在生产经营单位", "市级", "部门协查", 5, None),
    ],
    "610100-RKZX": [
        ("qualification_exam", "学历证明", "专业技术人员职业资格考试报名", OT,
         "《专业技术人员职业资格考试管理暂行办法》第十条", "规范性文件", "学校", "市级", "数据共享核查", 20, None),
        ("qualification_exam", "工作年限证明", "专业技术人员职业资格考试报名", OT,
         "《专业技术人员职业资格考试管理暂行办法》第十条", "规范性文件", "所在单位", "市级", "部门协查", 20, None),
        ("qualification_exam", "专业工作年限证明", "一级建造师资格考试报名", OT, "《建造师执业资格制度暂行规定》（人发〔2002〕111号）第十条",
         "规范性文件", "所在单位", "市级", "部门协查", 20, None),
        ("qualification_exam", "学位证明", "经济专业技术资格考试报名", OT,
         "《经济专业技术资格规定》（人社部发〔2020〕1号）第十条", "规范性文件", "学校", "市级", "数据共享核查", 20, None),
    ],
    "610100-GXQ": [
        ("market_access", "企业登记住所场地证明", "高新区企业设立登记", L,
         "《中华人民共和国市场主体登记管理条例》（国务院令第746号）第十六条", "行政法规", "—", "市级", "现场核查", 20, None),
        ("social_insurance", "社会保险缴纳证明", "高层次人才安居补贴", B, "《西安市进一步加快人才汇聚若干措施》第五条",
         "规范性文件", "社会保险经办机构", "市级", "数据共享核查", 10, None),
        ("other", "纳税证明", "企业发展扶持资金申请", OT, "《西安高新区促进产业发展若干政策》第三条", "规范性文件", "税务机关",
         "市级", "数据共享核查", 10, None),
    ],
    "610113-SCJ": [
        ("market_access", "经营场所使用证明", "个体工商户登记（雁塔区）", L,
         "《促进个体工商户发展条例》（国务院令第755号）第十一条", "行政法规", "产权人", "县级", "现场核查", 15, None),
        ("health_check", "从业人员健康证明", "小餐饮经营许可", L, "《陕西省食品小作坊小餐饮及摊贩管理条例》第二十一条",
         "地方性法规", "医疗机构", "县级", "数据共享核查", 10, None),
        ("market_access", "食品安全管理员培训证明", "小餐饮经营许可", L, "《陕西省食品小作坊小餐饮及摊贩管理条例》第十九条",
         "地方性法规", "培训机构", "县级", "部门协查", 10, None),
    ],
    "610113-RSJ": [
        ("social_insurance", "灵活就业证明", "灵活就业人员社会保险补贴", B, "《中华人民共和国就业促进法》第五十二条", "法律",
         "街道办事处", "县级", "部门协查", 10, None),
        ("social_assistance", "就业困难证明", "公益性岗位安置", B, "《中华人民共和国就业促进法》第五十二条", "法律",
         "街道办事处", "县级", "部门协查", 10, None),
        ("other", "经营状况证明", "创业担保贷款贴息", B, "《创业担保贷款贴息资金管理办法》（财金〔2020〕21号）第八条",
         "规范性文件", "经办金融机构", "县级", "部门协查", 10, None),
    ],
    "610116-MZJ": [
        ("social_assistance", "家庭收入证明", "最低生活保障申请（长安区）", B, "《社会救助暂行办法》（国务院令第649号）第十一条",
         "行政法规", "村（居）委会", "县级", "部门协查、公示核查", 15, None),
        ("social_assistance", "残疾证明", "重度残疾人护理补贴", B,
         "《国务院关于全面建立困难残疾人生活补贴和重度残疾人护理补贴制度的意见》（国发〔2015〕52号）", "规范性文件",
         "残疾人联合会", "县级", "数据共享核查", 5, None),
        ("social_assistance", "年龄证明", "高龄老人生活补贴", B, "《陕西省实施〈中华人民共和国老年人权益保障法〉办法》第二十五条",
         "地方性法规", "公安机关", "县级", "数据共享核查", 5, None),
    ],
    "610100-XXXQ": [
        ("market_access", "企业住所证明", "西咸新区企业设立登记", L,
         "《中华人民共和国市场主体登记管理条例》（国务院令第746号）第十六条", "行政法规", "—", "市级", "现场核查", 15, None),
        ("qualification_exam", "学历证明", "西咸新区人才认定", OT, "《西咸新区人才引进办法》第六条", "规范性文件", "学校", "市级",
         "数据共享核查", 10, None),
        ("social_insurance", "社会保险缴纳证明", "西咸新区人才租房补贴", B, "《西咸新区人才引进办法》第十二条", "规范性文件",
         "社会保险经办机构", "市级", "数据共享核查", 10, None),
    ],
}

RSJ_NEW_MATTER = ("social_insurance", "失业登记证明", "失业保险金申领", B, "《中华人民共和国社会保险法》第五十条", "法律",
                  "公共就业服务机构", "市级", "数据共享核查", 5, None)

# Extras applied to matters after import: (agency, 证明名称) → fields and negative-list lines.
EXTRAS = {
    ("610100-MZJ", "家庭收入证明"): {
        "publicity_required": True, "publicity_place": "申请人户籍所在地村（居）委会公示栏和本平台", "publicity_days": 7,
        # §二(二) 负面清单 as rules: a condition the portal checks, a question asked before signing.
        "negative": [{"kind": "subject", "description": "曾在社会救助中作出虚假承诺、尚未完成信用修复的申请人",
                      "rule": "false_commitment"},
                     {"kind": "situation", "description": "家庭成员中有人拒绝授权核对收入和财产状况的",
                      "rule": "question", "question": "家庭成员中是否有人拒绝授权核对收入和财产状况"}],
    },
    # High-risk (§二(五)): a lawyer's criminal record is checked for every commitment, whatever the credit level.
    ("610100-SFJ", "无犯罪记录证明"): {
        "high_risk": True, "annual_volume": 600,
        "verification_standard": "以公安机关违法犯罪记录信息为准；过失犯罪的，以判决书认定为准",
        "verification_factors": "年办件量约600件；公安机关数据可共享查询，获取容易；虚假承诺将使受过刑事处罚者执业，危害大",
        "credit_rule": "高风险事项：各信用等级均逐件核查",
    },
    ("610100-SCJ", "企业登记住所场地证明"): {
        "insurance_note": "鼓励申请人投保住所信息不实责任保险，降低因住所不实引发的赔偿风险。",
        "negative": [{"kind": "situation", "description": "住所为违法建筑或已列入征收范围的", "rule": "question",
                      "question": "申请登记的住所是否为违法建筑，或是否已列入征收范围"},
                     {"kind": "subject", "description": "被列入严重违法失信名单的企业及其法定代表人",
                      "rule": "dishonesty"}],
    },
    ("610100-SFJ", "经济困难证明"): {"negative": [("situation", "申请事项涉及刑事附带民事赔偿且金额较大的")]},
    ("610100-SFJ", "完全民事行为能力证明"): {"negative": [
        {"kind": "subject", "description": "未满18周岁的申请人", "rule": "age_below", "number": 18},
        {"kind": "situation", "description": "申请人曾被人民法院认定为无民事行为能力或者限制民事行为能力人的",
         "rule": "question", "question": "您是否曾被人民法院认定为无民事行为能力或者限制民事行为能力人"}]},
    ("610116-MZJ", "家庭收入证明"): {
        "publicity_required": True, "publicity_place": "申请人所在村（居）委会公示栏", "publicity_days": 7,
    },
}

# Demo accounts this module adds: (username, full name, role, agency code).
EXTRA_STAFF = [
    ("editor_sfj", "钱芳（司法局清单编制）", roles.CATALOGUE_EDITOR, "610100-SFJ"),
    ("editor_gaj", "韩磊（公安局清单编制）", roles.CATALOGUE_EDITOR, "610100-GAJ"),
    ("editor_mzj", "曹敏（民政局清单编制）", roles.CATALOGUE_EDITOR, "610100-MZJ"),
    ("editor_scj", "邓宇（市场监管局清单编制）", roles.CATALOGUE_EDITOR, "610100-SCJ"),
    ("editor_jyj", "彭丽（教育局清单编制）", roles.CATALOGUE_EDITOR, "610100-JYJ"),
    ("editor_wjw", "曾琳（卫健委清单编制）", roles.CATALOGUE_EDITOR, "610100-WJW"),
    ("editor_yjj", "谢斌（应急管理局清单编制）", roles.CATALOGUE_EDITOR, "610100-YJJ"),
    ("editor_rkzx", "唐悦（人事考试中心清单编制）", roles.CATALOGUE_EDITOR, "610100-RKZX"),
    ("editor_gxq", "董浩（高新区清单编制）", roles.CATALOGUE_EDITOR, "610100-GXQ"),
    ("editor_yanta_rsj", "袁洁（雁塔区人社局清单编制）", roles.CATALOGUE_EDITOR, "610113-RSJ"),
    ("editor_changan", "蒋涛（长安区民政局清单编制）", roles.CATALOGUE_EDITOR, "610116-MZJ"),
    ("changan_approver", "沈刚（长安区政府审批）", roles.GOVERNMENT_APPROVER, "610116"),
    ("editor_xixian", "吕娜（西咸新区清单编制）", roles.CATALOGUE_EDITOR, "610100-XXXQ"),
    ("xixian_approver", "魏东（西咸新区审批）", roles.GOVERNMENT_APPROVER, "610100-XXXQ"),
    ("reviewer2", "罗平（司法局审核）", roles.JUSTICE_REVIEWER, "610100-SFJ"),
    ("changan_reviewer", "白雪（长安区司法局审核）", roles.JUSTICE_REVIEWER, "610116-SFJ"),
    ("xixian_reviewer", "石磊（西咸新区司法局审核）", roles.JUSTICE_REVIEWER, "610100-XXXQ-SFJ"),
]

# Which agency's demo editor account to use.
EDITORS = {
    "610100-RSJ": "editor", "610113-SCJ": "yanta_editor", **{code: u for u, _n, r, code in EXTRA_STAFF
                                                               if r == roles.CATALOGUE_EDITOR},
}
APPROVERS = {"610100": "approver", "610113": "yanta_approver", "610116": "changan_approver",
             "610100-XXXQ": "xixian_approver"}
# Each government level's justice reviewer (本级审核): the city's for city lists, the district's own for its lists.
REVIEWERS = {"610100": "reviewer", "610113": "yanta_reviewer", "610116": "changan_reviewer",
             "610100-XXXQ": "xixian_reviewer"}

# Where each agency's demo catalogue ends up: the states of version 1, then of version 2 (if any).
PLAN = {
    "610100-SFJ": ["published"],
    "610100-RSJ": ["published", "published", "draft"],  # v1 superseded, v2 current, v3 being drafted
    "610100-GAJ": ["published", "submitted"],
    "610100-MZJ": ["published", "returned"],
    "610100-SCJ": ["published", "reviewed"],
    "610100-JYJ": ["published", "approved"],
    "610100-WJW": ["published"],
    "610100-YJJ": ["published"],
    "610100-RKZX": ["published"],
    "610100-GXQ": ["published"],
    # District route: 区司法局审核 → 区政府批准、公布 → 报送市司法局 → 已汇总 / 退回并附意见.
    "610113-SCJ": ["aggregated"],
    "610113-RSJ": ["reported"],
    "610116-MZJ": ["submitted"],
    "610100-XXXQ": ["report_returned"],
}
CHANGES = {
    "610100-RSJ": [("enacted", "《中华人民共和国社会保险法》修正后，新增失业登记证明事项", "《中华人民共和国社会保险法》（2018年修正）"),
                   ("amended", "缩短部分事项的核查时限", "")],
    "610100-GAJ": [("amended", "户籍准入条件调整，人才引进落户改为数据共享核查并缩短时限", "《西安市户籍准入条件》（2023年修订）")],
    "610100-MZJ": [("interpreted", "按社会救助审核确认办法的解释，补充公示要求", "《社会救助审核确认办法》")],
    "610100-SCJ": [("amended", "食品经营许可管理办法修订，调整条款号", "《食品经营许可和备案管理办法》（市场监管总局令第78号）")],
    "610100-JYJ": [("repealed", "取消随迁子女入学的居住证明（改由部门间数据共享获取）", "《居住证暂行条例》")],
}


def seed(stdout=None) -> list[tuple[str, str, str]]:
    password = settings.DEMO_PASSWORD
    agencies = {a.code: a for a in Agency.objects.filter(
        code__in=[*MATTERS, *APPROVERS, "610100-SFJ", *(code for _u, _n, _r, code in EXTRA_STAFF)])}
    if len(agencies) < len(MATTERS):
        return []  # the kernel demo has not run
    users = _staff(password, agencies)
    users.update({u.username: u for u in User.objects.filter(username__in=["editor", "yanta_editor", "reviewer",
                                                                          "approver", "yanta_approver",
                                                                          "yanta_reviewer"])})
    made = 0
    for code, plan in PLAN.items():
        agency = agencies[code]
        if Catalogue.objects.filter(agency=agency).exists():
            continue
        editor = users[EDITORS[code]]
        for index, target in enumerate(plan):
            kind, reason, law = ("initial", "", "") if index == 0 else CHANGES[code][index - 1]
            catalogue = services.start_version(actor=editor, change_kind=kind, change_reason=reason, law_reference=law)
            if index == 0:
                _import(editor, catalogue, MATTERS[code])
            else:
                _change(editor, catalogue, code, index)
            _walk(catalogue, target, editor, users)
            made += 1
    if stdout is not None and made:
        stdout.write(f"证明事项清单：已创建 {made} 个清单版本。")
    return [(u, password, f"{roles.ROLES[r].label} · {agencies[c].name}"
                          + (two_factor.DEMO_NOTE if r in roles.TWO_FACTOR_ROLES else ""))
            for u, _n, r, c in EXTRA_STAFF if u in ("editor_gaj", "changan_approver", "reviewer2")]


def _staff(password, agencies) -> dict[str, User]:
    users = {}
    for username, full_name, role, code in EXTRA_STAFF:
        user, created = User.objects.get_or_create(username=username,
                                                   defaults={"full_name": full_name, "agency": agencies[code]})
        if created:
            user.set_password(password)
            user.save(update_fields=["password"])
        user.groups.add(Group.objects.get(name=role))
        if role in roles.TWO_FACTOR_ROLES:
            two_factor.demo_device(user)
        users[username] = user
    return users


def _rows(agency, specs):
    rows = []
    for seq, (field, name, service, kind, basis, level, issuing, exercise, methods, days, excluded) in enumerate(specs, 1):
        match = importing.BASIS_RE.match(basis)
        rows.append({
            "seq": seq, "name": name, "service_name": service, "service_kind": importing.SERVICE_KINDS[kind],
            "field": field, "legal_basis_name": match.group(1), "legal_basis_number": match.group(2) or "",
            "legal_basis_article": match.group(3), "legal_basis_level": importing.LEGAL_LEVELS[level],
            "requesting_agency": agency, "issuing_unit": "" if issuing == "—" else issuing,
            "exercise_level": importing.LEVELS[exercise], "commitment_allowed": excluded is None,
            "exclusion_category": importing.RISKS[excluded[0]] if excluded else "",
            "exclusion_reason": excluded[1] if excluded else "",
            "verification_methods": [importing.METHODS[m] for m in methods.split("、") if m],
            "verification_days": days,
        })
    return rows


def _import(editor, catalogue, specs):
    services.import_matters(actor=editor, catalogue=catalogue, rows=_rows(catalogue.agency, specs),
                            filename="演示清单.xlsx")
    for matter in catalogue.matters.all():
        extra = EXTRAS.get((catalogue.agency.code, matter.name))
        if not extra:
            continue
        for field, value in extra.items():
            if field != "negative":
                setattr(matter, field, value)
        services.save_matter(actor=editor, catalogue=catalogue, matter=matter,
                             negative_entries=extra.get("negative"))


def _change(editor, catalogue, code, index):
    """Version 2+ of the demo lists: a realistic 立/改/废/释 change."""
    matters = {m.name: m for m in catalogue.matters.all()}
    if code == "610100-RSJ" and index == 1:
        services.import_matters(actor=editor, catalogue=catalogue, filename="第2版清单.xlsx",
                                rows=_rows(catalogue.agency, [*MATTERS[code], RSJ_NEW_MATTER]))
    elif code == "610100-RSJ":
        _update(editor, catalogue, matters["解除劳动合同证明"], verification_days=5)
    elif code == "610100-GAJ":
        _update(editor, catalogue, matters["学历证明"], verification_days=3,
                legal_basis_number="市政办发〔2023〕15号")
    elif code == "610100-MZJ":
        _update(editor, catalogue, matters["家庭财产状况证明"], publicity_required=True,
                publicity_place="申请人所在村（居）委会公示栏", publicity_days=7)
    elif code == "610100-SCJ":
        _update(editor, catalogue, matters["食品安全管理人员培训合格证明"], legal_basis_article="第十三条")
    elif code == "610100-JYJ":
        services.delete_matter(actor=editor, matter=matters["居住证明"])


def _update(editor, catalogue, matter, **fields):
    for field, value in fields.items():
        setattr(matter, field, value)
    services.save_matter(actor=editor, catalogue=catalogue, matter=matter)  # the negative list stays as it is


def _explain_low_basis(reviewer, catalogue):
    """The demo reviewer's reason for each basis below law/regulation (§二(二)); never "设定依据准确"."""
    for matter in catalogue.matters.filter(legal_basis_level__in=LOW_BASIS_LEVELS, basis_exception_reason=""):
        services.record_basis_reason(actor=reviewer, matter=matter, reason=(
            f"设定依据为{matter.get_legal_basis_level_display()}，系对上位法规定条件的细化；"
            "清理期间暂予保留，待上位法依据明确后在下一版清单中调整或取消。"))


def _walk(catalogue, target, editor, users):
    if target == "draft":
        return
    reviewer = users[REVIEWERS[catalogue.approving_agency.code]]
    approver = users[APPROVERS[catalogue.approving_agency.code]]
    catalogue = services.submit(actor=editor, catalogue=catalogue)
    if target == "submitted":
        return
    if target == "returned":
        services.return_for_changes(actor=reviewer, catalogue=catalogue,
                                    comment="请补充家庭财产状况证明的公示期限，并核对设定依据的条款号。")
        return
    _explain_low_basis(reviewer, catalogue)
    catalogue = services.pass_review(actor=reviewer, catalogue=catalogue,
                                     comment="告知内容完整；设定依据低于法律、法规的事项已逐项记录保留理由，同意报批。")
    if target == "reviewed":
        return
    catalogue = services.approve(actor=approver, catalogue=catalogue, comment="同意。")
    if target == "approved":
        return
    catalogue = services.publish(actor=approver, catalogue=catalogue)
    if target == "published":
        return
    catalogue = services.report(actor=approver, catalogue=catalogue, comment="本级审核批准后的清单，报送市司法局汇总。")
    city = users["reviewer"]
    if target == "aggregated":
        services.aggregate(actor=city, catalogue=catalogue, comment="已收到报送清单，纳入全市汇总。")
    elif target == "report_returned":
        services.return_report(actor=city, catalogue=catalogue, comment=(
            "“学历证明”“社会保险缴纳证明”的设定依据为《西咸新区人才引进办法》（规范性文件），"
            "请说明上位法依据后重新报送，或在新版清单中调整。"))
