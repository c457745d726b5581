"""The names events refer to by id or code (findings, checklist items, criteria, people, units, files), loaded once
per case or per key for a page or an export, so that describing a thousand events costs a few queries."""

from functools import cache

from sqlalchemy import select

from inspect_app.audit import names
from inspect_app.core.extensions import db
from inspect_app.models import (
    Case,
    ChecklistItem,
    Criterion,
    EvidenceFile,
    Finding,
    OrgUnit,
    ParRound,
    ProcessDefinition,
    RemediationReport,
    User,
)


class Lookups:
    """A cache of names for one request; never kept between requests (the names may change)."""

    def __init__(self):
        self._findings: dict[int, dict[int, Finding]] = {}
        self._files: dict[int, dict[int, EvidenceFile]] = {}
        self._items: dict[int, dict[str, ChecklistItem]] = {}
        self._criteria: dict[int, dict[str, Criterion]] = {}
        self._elements: dict[int, dict[str, str]] = {}
        self.user = cache(self._user)
        self.unit = cache(self._unit)
        self.par_round = cache(lambda round_id: db.session.get(ParRound, round_id))
        self.report = cache(lambda report_id: db.session.get(RemediationReport, report_id))
        self.definition = cache(self._definition)

    # --- by case ----------------------------------------------------------------------------------------------------

    def finding(self, case: Case, finding_id) -> Finding | None:
        """A finding of the case, by id."""
        if case.id not in self._findings:
            self._findings[case.id] = {
                f.id: f for f in db.session.scalars(select(Finding).where(Finding.case_id == case.id))
            }
        found = self._findings[case.id].get(finding_id)
        # A PAR adjustment may cite a finding of an inspection of the same unit: another case.
        return found if found is not None or finding_id is None else db.session.get(Finding, finding_id)

    def evidence(self, case: Case, file_id) -> EvidenceFile | None:
        """An evidence file of the case, by id."""
        if case.id not in self._files:
            query = select(EvidenceFile).where(EvidenceFile.case_id == case.id)
            self._files[case.id] = {f.id: f for f in db.session.scalars(query)}
        return self._files[case.id].get(file_id)

    def item(self, case: Case, code: str) -> ChecklistItem | None:
        """An item of the case's checklist, by code."""
        if case.id not in self._items:
            template = case.inspection.checklist_template if case.inspection is not None else None
            self._items[case.id] = {item.code: item for item in template.items} if template is not None else {}
        return self._items[case.id].get(code)

    def criterion(self, case: Case, code: str) -> Criterion | None:
        """A criterion of the case's PAR criteria set, by code."""
        if case.id not in self._criteria:
            found = {}
            if case.par is not None:
                query = select(Criterion).where(Criterion.set_id == case.par.set_id)
                found = {criterion.code: criterion for criterion in db.session.scalars(query)}
            self._criteria[case.id] = found
        return self._criteria[case.id].get(code)

    def element(self, case: Case, bpmn_id: str) -> str:
        """The name of a BPMN element (a timer) of the case's process version, or its id."""
        if case.id not in self._elements:
            self._elements[case.id] = names.element_names(case)
        return self._elements[case.id].get(bpmn_id) or bpmn_id

    # --- by key -----------------------------------------------------------------------------------------------------

    @staticmethod
    def _user(username: str) -> User | None:
        return db.session.scalar(select(User).where(User.username == username))

    @staticmethod
    def _unit(code: str) -> OrgUnit | None:
        return db.session.scalar(select(OrgUnit).where(OrgUnit.code == code))

    @staticmethod
    def _definition(key: tuple[str, int]) -> ProcessDefinition | None:
        process_id, version = key
        query = select(ProcessDefinition).where(
            ProcessDefinition.process_id == process_id, ProcessDefinition.version == version
        )
        return db.session.scalar(query)
