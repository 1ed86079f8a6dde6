package httpstock_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/omnibasket/omnibasket/adapters/httpstock"
)

// TestClientRedactsEndpointPassword: a Client holds its endpoint URL, and
// the URL may carry a password. Printed under every fmt verb, encoded as
// JSON and logged with slog (JSON and text handlers), directly or inside
// another value (even through an unexported field, where fmt prints by
// reflection), it never shows the password, while it still shows where it
// calls.
func TestClientRedactsEndpointPassword(t *testing.T) {
	const password = "pa55-w0rd-XYZZY"
	c, err := httpstock.New("https://stock-reader:"+password+"@erp.example/api/stock", httpstock.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cache, err := httpstock.NewCache(c, httpstock.CacheOptions{TTL: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	type exported struct{ Client *httpstock.Client }
	type unexported struct{ c httpstock.Client }
	type unexportedCache struct{ c *httpstock.Cache }

	leaks := []string{password, url.QueryEscape(password), fmt.Sprintf("%x", password), fmt.Sprint([]byte(password)[:6])}
	for _, tc := range []struct {
		name string
		v    any
		show bool // the endpoint's host must show in every encoding
	}{
		{"*Client", c, true},
		{"[]*Client", []*httpstock.Client{c}, true},
		{"struct with a *Client field", exported{c}, true},
		{"struct with an unexported Client field", unexported{*c}, false},
		{"*Cache", cache, false},
		{"struct with an unexported *Cache field", unexportedCache{cache}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for enc, s := range encodings(t, tc.v) {
				for _, leak := range leaks {
					if strings.Contains(s, leak) {
						t.Errorf("%s leaks the password (as %q):\n%s", enc, leak, s)
					}
				}
				if tc.show && !strings.Contains(s, "erp.example/api/stock") {
					t.Errorf("%s does not show the endpoint:\n%s", enc, s)
				}
			}
		})
	}
}

// encodings prints and encodes v every way a program might: fmt verbs,
// encoding/json, and log/slog with a JSON and a text handler.
func encodings(t *testing.T, v any) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		out[verb] = fmt.Sprintf(verb, v)
	}
	j, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("json.Marshal: %v", err)
	}
	out["json"] = string(j)
	var jb, tb bytes.Buffer
	slog.New(slog.NewJSONHandler(&jb, nil)).Info("stock", "value", v)
	slog.New(slog.NewTextHandler(&tb, nil)).Info("stock", "value", v)
	out["slog JSON"], out["slog text"] = jb.String(), tb.String()
	return out
}
