# seeds.sh - where each harness's seeds come from (sourced by replay-all and
# run).  lg_fuzz_seeds HARNESS SRC prints the seed files, one a line, taken
# from the repository's own test inputs at SRC, plus the few hand-written
# ones in tests/fuzz/seeds/.  Nothing is copied into the tree.
lg_fuzz_seeds() {
	local h=$1 src=$2
	(
		cd "$src" || exit 1
		case $h in
		fuzz_rules)
			ls rules/*.yml tests/corpus/rules/*.yml tests/cli/rules/*.yml \
			   tests/cli/*.yml examples/*/leakgate.yml
			find tests/rules-bad -type f | sort ;;
		fuzz_config)
			ls tests/fuzz/seeds/config/* tests/cli/*.yml ;;
		fuzz_diff)
			ls tests/fuzz/seeds/diff/* ;;
		fuzz_baseline)
			ls tests/fuzz/seeds/baseline/* ;;
		fuzz_frontend)
			ls tests/corpus/*.c tests/corpus/xtu-*/*.c tests/lowering/*.c \
			   tests/cli/*.c examples/*/*.c tests/fuzz/seeds/frontend/* |
				grep -v '/corpus_test\.c$' ;;
		*)
			echo "lg_fuzz_seeds: no harness '$h'" >&2
			exit 1 ;;
		esac
	) 2>/dev/null | sed "s|^|$src/|"
}

LG_FUZZ_HARNESSES="fuzz_rules fuzz_diff fuzz_baseline fuzz_config fuzz_frontend"
