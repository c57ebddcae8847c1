package devcert

import (
	"crypto/x509"
	"testing"
)

func TestNew(t *testing.T) {
	c, err := New("example.test", "10.1.2.3")
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(c.Leaf)
	for _, host := range []string{"localhost", "127.0.0.1", "example.test", "10.1.2.3"} {
		if _, err := c.Leaf.Verify(x509.VerifyOptions{DNSName: host, Roots: pool}); err != nil {
			t.Errorf("%s: %v", host, err)
		}
	}
	if _, err := c.Leaf.Verify(x509.VerifyOptions{DNSName: "other.test", Roots: pool}); err == nil {
		t.Error("certificate valid for a host it does not name")
	}
}
