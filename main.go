// Command feedscope watches numbers from a server as live line charts.
package main

import (
	"fmt"
	"os"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "feedscope:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	return fmt.Errorf("no window yet")
}
