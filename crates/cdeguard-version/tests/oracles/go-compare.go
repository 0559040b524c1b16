// Test oracle for cdeguard-version's differential tests: reads tab-separated Go module
// version pairs from stdin and prints, for each, how golang.org/x/mod/semver (the
// package the go command orders module versions with) orders them (-1, 0 or 1), or
// `invalid` when it rejects a version.
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/semver"
)

func main() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := bufio.NewWriter(os.Stdout)
	defer out.Flush()
	for in.Scan() {
		a, b, _ := strings.Cut(in.Text(), "\t")
		if !semver.IsValid(a) || !semver.IsValid(b) {
			fmt.Fprintln(out, "invalid")
			continue
		}
		fmt.Fprintln(out, semver.Compare(a, b))
	}
}
