"""The Hai Duong demo organisation and demo users (a realistic sample, not official data)."""

from collections.abc import Callable

from sqlalchemy import select

from inspect_app.core.extensions import db
from inspect_app.models import OrgLevel, OrgUnit, Role, User

DEMO_PASSWORD = "inspect-demo"
PROVINCE = ("HD", "UBND tỉnh Hải Dương")
DEPARTMENTS = [
    ("HD-SGTVT", "Sở Giao thông vận tải"),
    ("HD-SNV", "Sở Nội vụ"),
    ("HD-STTTT", "Sở Thông tin và Truyền thông"),
    ("HD-SNNPTNT", "Sở Nông nghiệp và Phát triển nông thôn"),
    ("HD-SGDDT", "Sở Giáo dục và Đào tạo"),
    ("HD-VPUBND", "Văn phòng UBND tỉnh"),
    ("HD-STC", "Sở Tài chính"),
    ("HD-SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch"),
    ("HD-SXD", "Sở Xây dựng"),
    ("HD-STP", "Sở Tư pháp"),
    ("HD-TTT", "Thanh tra tỉnh"),
    ("HD-SYT", "Sở Y tế"),
    ("HD-SKHDT", "Sở Kế hoạch và Đầu tư"),
    ("HD-STNMT", "Sở Tài nguyên và Môi trường"),
    ("HD-SLDTBXH", "Sở Lao động - Thương binh và Xã hội"),
    ("HD-SKHCN", "Sở Khoa học và Công nghệ"),
    ("HD-SCT", "Sở Công Thương"),
    ("HD-BQLKCN", "Ban Quản lý các khu công nghiệp tỉnh"),
]
DISTRICTS = [
    ("HD-TPHD", "Thành phố Hải Dương"),
    ("HD-TPCL", "Thành phố Chí Linh"),
    ("HD-TXKM", "Thị xã Kinh Môn"),
    ("HD-BG", "Huyện Bình Giang"),
    ("HD-CG", "Huyện Cẩm Giàng"),
    ("HD-GL", "Huyện Gia Lộc"),
    ("HD-KT", "Huyện Kim Thành"),
    ("HD-NS", "Huyện Nam Sách"),
    ("HD-NG", "Huyện Ninh Giang"),
    ("HD-TH", "Huyện Thanh Hà"),
    ("HD-TM", "Huyện Thanh Miện"),
    ("HD-TK", "Huyện Tứ Kỳ"),
]
# A few communes, under the district named first.
COMMUNES = [
    ("HD-NS", "HD-NS-ANLAM", "Xã An Lâm"),
    ("HD-NS", "HD-NS-NAMHONG", "Xã Nam Hồng"),
    ("HD-NS", "HD-NS-TTNAMSACH", "Thị trấn Nam Sách"),
    ("HD-TPHD", "HD-TPHD-TANBINH", "Phường Tân Bình"),
    ("HD-TPHD", "HD-TPHD-NGOCCHAU", "Phường Ngọc Châu"),
    ("HD-NG", "HD-NG-HONGDUC", "Xã Hồng Đức"),
]
# username, full name, roles, unit code
USERS = [
    ("admin", "Quản trị hệ thống", [Role.ADMIN], "HD-SNV"),
    ("director", "Nguyễn Văn Hùng", [Role.DIRECTOR], "HD-SNV"),
    ("lead", "Trần Thị Lan", [Role.LEAD, Role.INSPECTOR], "HD-SNV"),
    ("inspector", "Lê Minh Tuấn", [Role.INSPECTOR], "HD-SNV"),
    ("inspector2", "Phạm Thu Hà", [Role.INSPECTOR], "HD-TTT"),
    ("officer", "Vũ Đức Anh", [Role.UNIT_OFFICER], "HD-NS"),
    ("officer2", "Đỗ Thị Mai", [Role.UNIT_OFFICER], "HD-SGTVT"),
    ("auditor", "Hoàng Văn Nam", [Role.AUDITOR], "HD-TTT"),
]


def _upsert_unit(code: str, name: str, level: OrgLevel, parent: OrgUnit | None) -> OrgUnit:
    unit = db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))
    if unit is None:
        unit = OrgUnit(code=code)
        db.session.add(unit)
    unit.name, unit.level, unit.parent = name, level, parent
    return unit


def load_demo(progress: Callable[[str], None] = lambda message: None) -> list[User]:
    """Create or refresh the demo organisation and users (idempotent; flushes, never commits)."""
    province = _upsert_unit(*PROVINCE, OrgLevel.PROVINCE, None)
    units = {PROVINCE[0]: province}
    for code, name in DEPARTMENTS:
        units[code] = _upsert_unit(code, name, OrgLevel.DEPARTMENT, province)
    progress(f"{len(DEPARTMENTS)} departments")
    for code, name in DISTRICTS:
        units[code] = _upsert_unit(code, name, OrgLevel.DISTRICT, province)
    progress(f"{len(DISTRICTS)} district-level units")
    for parent_code, code, name in COMMUNES:
        units[code] = _upsert_unit(code, name, OrgLevel.COMMUNE, units[parent_code])
    progress(f"{len(COMMUNES)} communes")
    db.session.flush()

    users = []
    for username, full_name, roles, unit_code in USERS:
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None:
            user = User(username=username)
            db.session.add(user)
        user.full_name, user.unit, user.is_active = full_name, units[unit_code], True
        user.set_password(DEMO_PASSWORD)
        for role in roles:
            user.grant(role)
        users.append(user)
    progress(f"{len(users)} demo users")
    db.session.flush()
    return users
