package lpa_test

import (
	"fmt"

	"github.com/connectctl/connectctl/internal/lpa"
)

func ExampleParse() {
	for _, s := range []string{
		"LPA:1$rsp.truphone.com$O-17QF0-MJVBIN",
		"LPA:1$%rsp.truphone.com$%5C-M1OIY-QHWKD1",
		"1$rsp.truphone.com$6C-DA326D-K86D",
	} {
		c, err := lpa.Parse(s)
		fmt.Println(c, err)
	}
	// Output:
	// LPA:1$rsp.truphone.com$O-17QF0-MJVBIN <nil>
	// LPA:1$rsp.truphone.com$5C-M1OIY-QHWKD1 <nil>
	// LPA:1$rsp.truphone.com$6C-DA326D-K86D <nil>
}

func ExampleResolve() {
	// An order's output: smdpUrl, matchingId and lpa_url.
	c, warnings, err := lpa.Resolve("rsp.truphone.com", "5C-M1OIY-QHWKD1", "LPA:1$%rsp.truphone.com$%5C-M1OIY-QHWKD1")
	fmt.Println(c, len(warnings), err)
	fmt.Println(lpa.IOSInstallURL(c))
	fmt.Println(lpa.Redact(c.String()))
	// Output:
	// LPA:1$rsp.truphone.com$5C-M1OIY-QHWKD1 0 <nil>
	// https://esimsetup.apple.com/esim_qrcode_provisioning?carddata=LPA%3A1%24rsp.truphone.com%245C-M1OIY-QHWKD1
	// LPA:1$rsp.truphone.com$5C-M…D1
}
