"""Which skills a client–provider relationship needs, and which of them its
liaisons have: the rule is data (`skills.yaml` in this package, or a user's
file of the same layout), read once into a `SkillMap`.

Examples
--------
>>> m = SkillMap.default()
>>> m.canonical("Aseptic-Processing"), m.canonical("QA"), m.canonical("tech transfer")
('sterile manufacturing', 'quality systems', None)
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from ..problems import PortfolioError, Problem, brief, did_you_mean
from ..vocabulary import TECHNOLOGY_STEPS, QualityMaturity, Segment, Step, Technology

__all__ = ["SkillMap", "load_skills"]

# The sections of `needs` and the vocabulary each one's keys come from.
_NEEDS: dict[str, frozenset[str]] = {
    "technologies": frozenset(Technology),
    "biologic_steps": frozenset(Step),
    "steps": frozenset(Step),
    "segments": frozenset(Segment),
    "quality_maturity": frozenset(QualityMaturity),
}


def _key(word: str) -> str:
    """How skill words are compared: case, spaces, hyphens and underscores aside."""
    return re.sub(r"[\s_-]+", " ", word.strip()).casefold()


@dataclass(frozen=True)
class SkillMap:
    """Skills and their synonyms (`words`: compared form -> skill) and, per
    section of `needs`, value -> skill."""

    skills: tuple[str, ...]
    words: Mapping[str, str]
    needs: Mapping[str, Mapping[str, str]]
    source: str

    @classmethod
    def default(cls) -> SkillMap:
        """The mapping shipped with graphkit (read once)."""
        return _default()

    def canonical(self, word: str) -> str | None:
        """The skill a liaison's word names, or None."""
        return self.words.get(_key(word))

    def held(self, words: Iterable[str]) -> frozenset[str]:
        """The skills a set of liaisons' words cover."""
        return frozenset(s for s in map(self.canonical, words) if s is not None)

    def for_work(self, step: str, technology: str, biologic: bool) -> set[str]:
        """Skills one supply entry needs: its step's, its product technology's
        when the step is done with it, biologics for a biologic product's steps."""
        out = {self.needs["steps"].get(step)}
        if step in TECHNOLOGY_STEPS:
            out.add(self.needs["technologies"].get(technology))
        if biologic:
            out.add(self.needs["biologic_steps"].get(step))
        return {s for s in out if s is not None}

    def for_client(self, segment: str, quality_maturity: str | None) -> set[str]:
        """Skills every relationship of a client needs (small or immature clients)."""
        out = {self.needs["segments"].get(segment)}
        if quality_maturity is not None:
            out.add(self.needs["quality_maturity"].get(quality_maturity))
        return {s for s in out if s is not None}


def load_skills(path: Path | str | None = None) -> SkillMap:
    """The skill mapping in a YAML file (the shipped one when `path` is None).
    Raises `PortfolioError` listing every problem with its line."""
    from ..io.documents import read_document

    if path is None:
        with resources.as_file(resources.files(__package__) / "skills.yaml") as shipped:
            data, locate = read_document(shipped, "yaml")
            return _build(data, locate, "graphkit skills.yaml")
    path = Path(path)
    if not path.is_file():
        raise PortfolioError([Problem(str(path), "no such skills file")], str(path))
    data, locate = read_document(path, "json" if path.suffix.lower() == ".json" else "yaml")
    return _build(data, locate, str(path))


def _build(data: Any, locate: Any, source: str) -> SkillMap:
    problems: list[Problem] = []

    def error(where: tuple[Any, ...], message: str) -> None:
        problems.append(Problem(locate(where), message))

    if not isinstance(data, Mapping):
        raise PortfolioError([Problem(locate(()), "a skills file must be a mapping with `skills` and `needs`")], source)
    for key in data:
        if key not in ("skills", "needs"):
            error((key,), f"unknown section '{brief(key)}'{did_you_mean(str(key), ['skills', 'needs'])}")
    skills: list[str] = []
    words: dict[str, str] = {}
    raw_skills = data.get("skills")
    if not isinstance(raw_skills, Mapping) or not raw_skills:
        error(("skills",), "skills must map each skill to a list of the words that also name it")
        raw_skills = {}
    for skill, synonyms in raw_skills.items():
        if not isinstance(skill, str) or not skill.strip():
            error(("skills", skill), f"a skill name must be text, got '{brief(skill)}'")
            continue
        if synonyms is not None and not (isinstance(synonyms, list) and all(isinstance(s, str) for s in synonyms)):
            error(("skills", skill), f"skill '{brief(skill)}': its synonyms must be a list of words")
            continue
        skills.append(skill)
        for word in [skill, *(synonyms or [])]:
            first = words.setdefault(_key(word), skill)
            if first != skill:
                error(("skills", skill), f"'{brief(word)}' names both '{first}' and '{brief(skill)}'")
    needs: dict[str, dict[str, str]] = {k: {} for k in _NEEDS}
    raw_needs = data.get("needs")
    if not isinstance(raw_needs, Mapping):
        error(("needs",), f"needs must be a mapping with any of {', '.join(_NEEDS)}")
        raw_needs = {}
    for section, entries in raw_needs.items():
        if section not in _NEEDS:
            error(("needs", section), f"unknown needs section '{brief(section)}'{did_you_mean(str(section), _NEEDS)}")
            continue
        if not isinstance(entries, Mapping):
            error(("needs", section), f"needs {section} must map each value to a skill")
            continue
        for value, skill in entries.items():
            allowed = _NEEDS[section]
            if str(value) not in allowed:
                near = did_you_mean(str(value), allowed)
                error(
                    ("needs", section, value),
                    f"needs {section}: '{brief(value)}' is not one of {', '.join(sorted(allowed))}{near}",
                )
            elif not isinstance(skill, str) or skill not in skills:
                near = did_you_mean(str(skill), skills)
                error(
                    ("needs", section, value),
                    f"needs {section} {value}: '{brief(skill)}' is not a skill listed under skills{near}",
                )
            else:
                needs[section][str(value)] = skill
    if problems:
        raise PortfolioError(problems, source)
    return SkillMap(tuple(skills), words, needs, source)


@functools.cache
def _default() -> SkillMap:
    return load_skills()
