"""Which packages ship; the rest of the metadata and the data files are in setup.cfg.

The templates live at the top of the repository (templates/); a built package carries them as inspect_app/templates,
where an installed app looks for them (inspect_app.TEMPLATES_DIR)."""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["inspect_app", "inspect_app.*", "workflows", "workflows.*"]),
        "inspect_app.templates",
    ],
    package_dir={"inspect_app.templates": "templates"},
)
