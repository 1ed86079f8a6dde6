// Command omnichannel walks Maison Lumière's shoppers through the journeys
// omnibasket exists for, on the in-memory adapters, and prints what the
// shopper and the store associate see at each step:
//
//   - web-to-store: researched online with a web code, checked in at a store
//     by QR code, re-priced and re-promoted there, amended by the associate,
//     paid in store;
//   - store-to-web: started on an associate's tablet, finished at home on the
//     web with home delivery and price protection;
//   - click-collect: ordered online for collection; the order holds the
//     shelf's units and sends for the rest, a walk-in shopper is not offered
//     the held lamp, the transfer arrives and is collected;
//   - sofa: a sofa seen on the web is secured in store with its decoration,
//     delivered from the warehouse and assembled, invoiced; a cushion comes
//     back to another store a week later, and the broken three-for-two keeps
//     its benefit back from the refund (credit note).
//
// Usage:
//
//	go run ./examples/omnichannel                 # every journey, as tables
//	go run ./examples/omnichannel -journey click-collect
//	go run ./examples/omnichannel -json           # the same steps as JSON
//
// The output is deterministic: a fixed clock, fixed IDs, a fixed key.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
)

func main() {
	journey := flag.String("journey", "", "run one journey: "+journeyNames())
	asJSON := flag.Bool("json", false, "print the steps as JSON")
	flag.Parse()
	if err := run(os.Stdout, *journey, *asJSON); err != nil {
		fmt.Fprintln(os.Stderr, "omnichannel:", err)
		os.Exit(1)
	}
}

// run plays the chosen journeys (all when name is empty) and renders them.
func run(w io.Writer, name string, asJSON bool) error {
	var played []Journey
	for _, j := range journeys() {
		if name != "" && j.Name != name {
			continue
		}
		steps, err := j.Play()
		if err != nil {
			return fmt.Errorf("%s: %w", j.Name, err)
		}
		played = append(played, Journey{Name: j.Name, Title: j.Title, Steps: steps})
	}
	if len(played) == 0 {
		return fmt.Errorf("unknown journey %q (known: %s)", name, journeyNames())
	}
	if asJSON {
		return renderJSON(w, played)
	}
	return renderText(w, played)
}
