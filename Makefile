# Thin aliases for dev.sh, the one set-up script (make may be missing on a fresh machine).
.PHONY: run test check bench
run:
	bash dev.sh run
test:
	bash dev.sh test
check:
	bash dev.sh check
bench:
	bash dev.sh bench
