"""The tests mirror the packages: a folder of tests under tests/ is named for the package it tests
(tests/governance/steering/ tests governance/steering/), so a package's tests are found where the
package is. Only the sweeps across every route have folders of their own."""

from tests.support import PROJECT_ROOT

TESTS = PROJECT_ROOT / "tests"
#: Folders of checks that sweep the whole app rather than test one package.
SWEEPS = {"browser", "fuzz", "security"}


def test_every_test_folder_is_named_for_a_package():
    folders = {path.parent.relative_to(TESTS) for path in TESTS.rglob("test_*.py")} - {TESTS.relative_to(TESTS)}
    assert folders, "no test folders found"
    strays = [
        str(folder)
        for folder in sorted(folders)
        if folder.parts[0] not in SWEEPS and not (PROJECT_ROOT / folder / "__init__.py").is_file()
    ]
    assert strays == [], f"test folders without a package of the same path: {strays}"


def test_no_package_test_is_left_at_the_top():
    """A test module at the top of tests/ named for a package belongs in that package's folder."""
    packages = {path.parent.name for path in PROJECT_ROOT.glob("*/*/__init__.py")} - {"tests"}
    misplaced = [path.name for path in TESTS.glob("test_*.py") if path.stem.removeprefix("test_") in packages]
    assert misplaced == [], f"move these to the folder of their package: {misplaced}"
