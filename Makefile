# selfeval — the front door: `make run` and `make test` (each installs first, once).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
YEAR   ?=
OUT    ?= out

.PHONY: install run test lint bench golden batch docs notebook clean help

help:
	@echo "make install            create $(VENV) and install selfeval with its test tools"
	@echo "make run                extract the bundled fixtures (fixtures/forms) into $(OUT)/"
	@echo "make test               run the test suite"
	@echo "make lint               ruff over the code"
	@echo "make batch YEAR=2020    extract data/2020/ into out/2020/ (a new year needs no code)"
	@echo "make golden             write candidate goldens to out/golden-candidate/ for review"
	@echo "make bench              run the benchmarks in bench/ (not part of CI)"
	@echo "make docs               re-render the README's data dictionary from the code"
	@echo "make notebook           open notebooks/explore.ipynb in Jupyter (installed into $(VENV) the first time)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The install runs once (and again when pyproject.toml changes); run and test depend on it,
# so each works on a fresh clone by itself.
STAMP := $(VENV)/.selfeval-installed

# setuptools reports every editable install of a package-dir layout with an
# "Editable installation" notice (a warning with no action to take): filtered out,
# nothing else is.  The install is the meta-path finder kind, so only the
# selfeval.* names are importable (never top-level extract/normalize).
$(STAMP): pyproject.toml | $(BIN)/python
	PYTHONWARNINGS='ignore:Editable installation' \
		$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test,ocr]'
	@touch $@

install: $(STAMP)

run: $(STAMP)
	$(BIN)/selfeval extract fixtures/forms --out $(OUT) --report

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check selfeval extract normalize tests bench

batch: $(STAMP)
	@test -n "$(YEAR)" || { echo "usage: make batch YEAR=2020 (reads data/YEAR/, writes out/YEAR/)"; exit 2; }
	@test -d data/$(YEAR) || { echo "data/$(YEAR)/ does not exist: put the year's files there first"; exit 2; }
	$(BIN)/selfeval extract data/$(YEAR) --out $(OUT)/$(YEAR)

golden: $(STAMP)
	$(BIN)/selfeval extract fixtures/forms/seed-2020-rongchang-27-forms.txt --out $(OUT)/golden-candidate --format csv
	@echo "Review out/golden-candidate/*.csv against the source by hand, then copy what you checked to fixtures/expected/."

bench: $(STAMP)
	$(BIN)/python -m bench

docs: $(STAMP)
	$(BIN)/python -m selfeval.dictionary README.md

# Jupyter is not a dependency of selfeval: installed into the venv the first time it is asked for.
notebook: $(STAMP)
	@test -x $(BIN)/jupyter-notebook || $(BIN)/python -m pip install --quiet --disable-pip-version-check notebook nbconvert
	@test -f $(OUT)/forms.parquet || $(MAKE) run
	SELFEVAL_OUT=$(abspath $(OUT)) $(BIN)/jupyter notebook notebooks/explore.ipynb

clean:
	rm -rf $(OUT) .pytest_cache .ruff_cache

# Optional Debian components, each installed only when missing:
#   install-browser  headless Chromium and a CJK font for the report's browser test
#   install-office   LibreOffice (headless: Writer, Calc, Impress) to read .doc/.wps/.et/.dps files; poppler-utils (pdftotext)
# Debian packages only.
APT_INSTALL = SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	$$SUDO apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends

.PHONY: install-browser install-office
install-browser:
	@if [ -x /usr/bin/chromium ] && dpkg -s fonts-noto-cjk >/dev/null 2>&1; then \
		echo "chromium and fonts-noto-cjk are installed"; \
	else \
		$(APT_INSTALL) chromium fonts-noto-cjk; \
	fi

# Impress is checked by its registry file: either Debian variant (-nogui or the full one) provides it.
install-office:
	@if command -v soffice >/dev/null 2>&1 && command -v pdftotext >/dev/null 2>&1 \
		&& [ -e /usr/lib/libreoffice/share/registry/impress.xcd ]; then \
		echo "LibreOffice (Writer, Calc, Impress) and poppler-utils are installed"; \
	else \
		$(APT_INSTALL) libreoffice-writer-nogui libreoffice-calc-nogui libreoffice-impress-nogui poppler-utils; \
	fi
