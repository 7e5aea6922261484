"""The discussion-prompt library: YAML files facilitators edit, validated with line numbers,
rotated per channel without repeats, and rendered as a public post with a thread."""

from groupbot.prompts_library.model import Curriculum, CurriculumWeek, Prompt, PromptLibrary

__all__ = ["Curriculum", "CurriculumWeek", "Prompt", "PromptLibrary"]
