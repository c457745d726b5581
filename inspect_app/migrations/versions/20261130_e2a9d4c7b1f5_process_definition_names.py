"""Each process-definition version keeps its elements' display names in each language: process_definitions.names.

Read from the BPMN file at deploy (workflows/names.py). The versions deployed before were named in English, and
the app translated the shipped task names through a table in the code: here those English names become the
versions' English names, with the Vietnamese the app showed for them, so running cases keep reading Vietnamese.

Revision ID: e2a9d4c7b1f5
Revises: 5d2a9c7e1b40
Create Date: 2026-11-30 09:00:00.000000

"""
import sqlalchemy as sa
from alembic import op

# Only the file reading; its rules are those of the deploy step, which is what these names stand for.
from workflows.names import PRIMARY_LANGUAGE, read_names

# revision identifiers, used by Alembic.
revision = 'e2a9d4c7b1f5'
down_revision = '5d2a9c7e1b40'
branch_labels = None
depends_on = None

# The names of the shipped processes before they were named in Vietnamese, and their Vietnamese (frozen here).
SHIPPED_ENGLISH = {
    "Public-service inspection": "Kiểm tra công vụ",
    "Public-service inspection (kiểm tra công vụ)": "Kiểm tra công vụ",
    "Inspection decided": "Có quyết định kiểm tra",
    "Plan the inspection and notify the unit": "Lập kế hoạch kiểm tra và thông báo cho đơn vị",
    "Inspect on site": "Kiểm tra tại đơn vị",
    "Consolidate findings and write the minutes": "Tổng hợp phát hiện và lập biên bản kiểm tra",
    "Approve the conclusion": "Phê duyệt kết luận kiểm tra",
    "Approved?": "Được phê duyệt?",
    "Remediation needed?": "Cần khắc phục?",
    "Report remediation": "Báo cáo kết quả khắc phục",
    "Follow up the missed deadline": "Xử lý việc quá hạn khắc phục",
    "Escalate?": "Trình lãnh đạo?",
    "Decide on the escalation": "Quyết định xử lý việc quá hạn",
    "Close now?": "Kết thúc ngay?",
    "Verify the remediation": "Thẩm tra kết quả khắc phục",
    "All accepted?": "Tất cả đạt yêu cầu?",
    "Close the case": "Kết thúc cuộc kiểm tra",
    "Case closed": "Cuộc kiểm tra kết thúc",
    "Deadline passed": "Quá hạn",
    "Approved": "Phê duyệt",
    "Returned": "Trả lại",
    "Yes": "Có",
    "No": "Không",
    "Escalate": "Trình lãnh đạo",
    "Extended": "Gia hạn",
    "Close": "Kết thúc",
    "More time": "Cho thêm thời gian",
    "Rejected": "Chưa đạt",
    "All accepted": "Tất cả đạt",
    "PAR index appraisal": "Thẩm định Chỉ số CCHC",
    "PAR index appraisal (thẩm định Chỉ số CCHC)": "Thẩm định Chỉ số CCHC",
    "Round opened": "Mở đợt đánh giá",
    "Assess the unit and attach evidence": "Tự đánh giá, chấm điểm và đính kèm tài liệu kiểm chứng",
    "Appraise, round 1": "Thẩm định vòng 1",
    "Explanations requested?": "Có yêu cầu giải trình?",
    "Explain the flagged items": "Giải trình các tiêu chí được yêu cầu",
    "Appraise, round 2": "Thẩm định vòng 2",
    "Check completeness and send for approval": "Rà soát, tổng hợp và trình phê duyệt",
    "Approve the index": "Phê duyệt Chỉ số CCHC",
    "Index approved": "Chỉ số được phê duyệt",
    "Self-assessment deadline": "Hết hạn tự đánh giá",
    "Explanation deadline": "Hết hạn giải trình",
}

definitions = sa.table(
    "process_definitions", sa.column("id", sa.Integer), sa.column("bpmn_xml", sa.Text), sa.column("names", sa.JSON)
)


def names_of(xml: str) -> dict:
    """The version's names, with an English name the shipped files had moved to English beside its Vietnamese."""
    names = read_names(xml.encode("utf-8"))
    for entry in names.values():
        english = entry.get(PRIMARY_LANGUAGE)
        if english in SHIPPED_ENGLISH and "en" not in entry:
            entry.update({PRIMARY_LANGUAGE: SHIPPED_ENGLISH[english], "en": english})
    return names


def upgrade():
    with op.batch_alter_table("process_definitions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("names", sa.JSON(), nullable=False, server_default=sa.text("'{}'")))
    connection = op.get_bind()
    for row in connection.execute(sa.select(definitions.c.id, definitions.c.bpmn_xml)).all():
        connection.execute(
            definitions.update().where(definitions.c.id == row.id).values(names=names_of(row.bpmn_xml))
        )


def downgrade():
    with op.batch_alter_table("process_definitions", schema=None) as batch_op:
        batch_op.drop_column("names")

