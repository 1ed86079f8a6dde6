package natsjs_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The NATS server is a test and example dependency: a program that
// embeds omnibasket links only the client.
func TestNoLibraryPackageDependsOnTheNATSServer(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list over the module")
	}
	cmd := exec.Command("go", "list", "-f", `{{.ImportPath}}{{range .Deps}} {{.}}{{end}}`, "github.com/omnibasket/omnibasket/...")
	cmd.Dir = "../.."
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	var checked, client int
	for row := range strings.Lines(string(out)) {
		fields := strings.Fields(row)
		pkg, deps := fields[0], fields[1:]
		if strings.HasPrefix(pkg, "github.com/omnibasket/omnibasket/examples/") {
			continue // examples/natsjs embeds a server on purpose
		}
		checked++
		for _, d := range deps {
			assert.False(t, strings.HasPrefix(d, "github.com/nats-io/nats-server"),
				"%s depends on %s: only tests and examples may embed the NATS server", pkg, d)
			if pkg == "github.com/omnibasket/omnibasket/adapters/natsjs" && d == "github.com/nats-io/nats.go/jetstream" {
				client++
			}
		}
	}
	assert.Greater(t, checked, 20, "the module's packages were listed")
	assert.Equal(t, 1, client, "natsjs uses the client (the check looks at the right list)")
}
