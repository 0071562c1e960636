package validate_test

import (
	"errors"
	"fmt"

	"github.com/connectctl/connectctl/internal/validate"
)

func ExampleICCID() {
	iccid, err := validate.ICCID("8944474600000109299")
	if errors.Is(err, validate.ErrChecksum) {
		// A read-only command warns and goes on with iccid; a
		// state-changing one refuses unless overridden.
		fmt.Println("warning:", err)
	}
	fmt.Println(iccid)
	// Output:
	// warning: ICCID "8944474600000109299": check digit is 9, expected 3 (typo?)
	// 8944474600000109299
}

func ExampleParseAmount() {
	a, _ := validate.ParseAmount("10.99", "usd")
	fmt.Println(a.Minor, a.Major(), a)
	j, _ := validate.ParseAmount("1500", "JPY")
	fmt.Println(j.Minor, j.Major(), j)
	_, err := validate.ParseAmount("12.345", "BHD")
	fmt.Println(err)
	// Output:
	// 1099 10.99 10.99 USD
	// 1500 1500 1500 JPY
	// amount "12.345": BHD takes at most 2 decimals
}

func ExampleCountryCode() {
	cc, _ := validate.CountryCode("pt")
	fmt.Println(cc, validate.CountryName(cc))
	_, err := validate.CountryCode("UK")
	fmt.Println(err)
	// Output:
	// PT Portugal
	// country code "UK": not an ISO 3166-1 code, use GB for the United Kingdom
}
