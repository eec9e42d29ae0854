# SPDX-License-Identifier: GPL-2.0-only
#
# Helpers the benchmark scripts share (sourced). A missing figure is the
# JSON null.

# ratio A B: A/B, or null
ratio() {
	if [ "$1" = null ] || [ "$2" = null ]; then
		echo null
	else
		jq -n --argjson a "$1" --argjson b "$2" 'if $b > 0 then $a / $b else null end'
	fi
}

# fmt FORMAT VALUE: VALUE printed with FORMAT, n/a for null
fmt() {
	if [ "$2" = null ]; then echo n/a; else LC_ALL=C printf "$1" "$2"; fi
}
