"""Standard wording for a matter's notification, used when a list is imported or a matter is added.

Every text stays editable per matter; these are the starting points an editor refines.
"""

LIABILITY_CIVIL = "因虚假承诺给国家、集体或者他人造成损失的，依法承担民事赔偿责任。"
LIABILITY_ADMINISTRATIVE = (
    "行政机关发现承诺不实的，依法终止办理、责令限期整改、撤销已作出的行政决定或者予以行政处罚，"
    "并将虚假承诺情况记入申请人信用记录，按规定推送至全国信用信息共享平台，实施联合惩戒。"
)
LIABILITY_CRIMINAL = "虚假承诺涉嫌犯罪的，依法移送司法机关追究刑事责任。"

LETTER_TEMPLATE = """本人（本单位）郑重承诺：
一、已经知晓行政机关告知的全部内容；
二、自身已经符合行政机关告知的条件、标准和要求；
三、所填写的信息和提供的材料真实、准确、完整，愿意接受行政机关的核查；
四、不存在由他人代为承诺的情形（法定监护人代为承诺的除外）；
五、如承诺不实，愿意承担相应的法律责任。"""

WORK_RULES = (
    "一、受理时向申请人一次性书面告知证明义务、证明内容和不实承诺的法律责任；"
    "二、申请人自愿选择告知承诺方式的，当场签署告知承诺书，不再索要该证明；"
    "三、按告知的核查方式和时限开展事中事后核查，核查结果记入办件；"
    "四、发现承诺不实的，依法处理并记入信用记录。"
)


def proof_content(name: str, service: str) -> str:
    return f"申请人办理“{service}”时，具备“{name}”所证明的条件，相关情况真实、准确。"


def commitment_content(name: str, service: str) -> str:
    return f"本人（本单位）承诺已具备“{name}”所证明的条件，申请办理“{service}”所提供的信息真实有效。"


def service_guide(name: str, service: str, agency: str) -> str:
    return (
        f"办理“{service}”时，申请人可自主选择提交“{name}”或者签署告知承诺书。"
        f"选择承诺的，在{agency}政务服务窗口或本平台在线签署告知承诺书，无需再到其他单位开具该证明；"
        "不愿承诺或者无法承诺的，应当提交该证明。"
    )


def defaults_for(name: str, service: str, agency: str) -> dict:
    """Notification texts for a matter that has none yet."""
    return {
        "proof_content": proof_content(name, service),
        "commitment_content": commitment_content(name, service),
        "liability_civil": LIABILITY_CIVIL,
        "liability_administrative": LIABILITY_ADMINISTRATIVE,
        "liability_criminal": LIABILITY_CRIMINAL,
        "service_guide": service_guide(name, service, agency),
        "work_rules": WORK_RULES,
        "letter_template": LETTER_TEMPLATE,
    }
