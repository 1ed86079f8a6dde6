package httpapi

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The table of operations in docs/api.md.
const (
	operationsDoc   = "docs/api.md"
	operationsBegin = "<!-- BEGIN GENERATED: go test ./adapters/httpapi -run TestOperationsDoc -update -->"
)

// operationsMarkdown renders the route table, in the document's order.
func operationsMarkdown(a *API) string {
	var b strings.Builder
	b.WriteString("| group | operation | method and path | what it does | If-Match | Idempotency-Key |\n")
	b.WriteString("|---|---|---|---|---|---|\n")
	yes := func(v bool) string {
		if v {
			return "yes"
		}
		return ""
	}
	for _, rt := range a.routes {
		fmt.Fprintf(&b, "| %s | `%s` | `%s %s` | %s | %s | %s |\n", rt.tag, rt.id, rt.method, rt.path, rt.summary, yes(rt.conditional), yes(rt.idempotent))
	}
	return b.String()
}

// TestOperationsDoc: docs/api.md lists every operation the handler serves.
func TestOperationsDoc(t *testing.T) {
	a := testAPI(t)
	path := filepath.Join(moduleRoot(t), operationsDoc)
	raw, err := os.ReadFile(path)
	require.NoError(t, err)
	doc := string(raw)
	begin := strings.Index(doc, operationsBegin)
	end := strings.Index(doc[max(begin, 0):], goldenEnd) + max(begin, 0)
	require.True(t, begin >= 0 && end > begin, "%s keeps the generated table between %q and %q", operationsDoc, operationsBegin, goldenEnd)
	table := operationsMarkdown(a)
	if *update {
		require.NoError(t, os.WriteFile(path, []byte(doc[:begin+len(operationsBegin)]+"\n"+table+doc[end:]), 0o644))
		return
	}
	assert.Equal(t, table, doc[begin+len(operationsBegin)+1:end], "%s is stale: run go test ./adapters/httpapi -run TestOperationsDoc -update", operationsDoc)
}
