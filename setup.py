"""What pyproject.toml cannot say: the repository's top-level `resources/` folder ships inside the package as
`app.resources` (catalogue, fonts, rules, help), so an installed wheel finds it with importlib.resources
(app/assets.py). Everything else is in pyproject.toml."""

from setuptools import find_packages, setup

setup(
    packages=[*find_packages(include=["app", "app.*"]), "app.resources"],
    package_dir={"app.resources": "resources"},
)
