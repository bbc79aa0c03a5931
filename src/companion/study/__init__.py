"""A study: the folder that holds one research project's database, audio and exports."""

from companion.study.folder import Study, init_study, open_study, resolve_study_dir

__all__ = ["Study", "init_study", "open_study", "resolve_study_dir"]
