package sandbox

import (
	"encoding/json"
	"math/big"
	"sort"
	"strings"

	"github.com/connectctl/connectctl/internal/lazy"
)

// FailProductID is the catalogue product whose orders always end FAILED.
const FailProductID = "SANDBOX-FAIL"

// product is one entry of the seeded catalogue. Prices are decimal strings
// in major units, keyed by currency.
type product struct {
	ID              string
	Name            string
	Description     string
	PlanID          string
	Period          int // days
	DataValue       int64
	DataUnit        string // MB or GB
	Footprint       []string
	ActiveCountries []string
	Pricing         map[string]string
	Region          string
}

// bytes is the product's data allowance in bytes (binary units, as the API's
// balances are: 1 GB = 1073741824).
func (p *product) bytes() int64 {
	switch p.DataUnit {
	case "GB":
		return p.DataValue << 30
	default:
		return p.DataValue << 20
	}
}

var (
	euFootprint = []string{"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
		"LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "GB", "NO", "CH", "IS", "LI"}
	asiaFootprint     = []string{"JP", "KR", "CN", "HK", "MO", "TW", "SG", "MY", "TH", "VN", "ID", "PH", "IN", "KH", "LK"}
	americasFootprint = []string{"US", "CA", "MX", "BR", "AR", "CL", "CO", "PE", "UY", "EC", "CR", "PA", "DO", "PR", "GT"}
	africaFootprint   = []string{"ZA", "EG", "MA", "TN", "KE", "NG", "GH", "TZ", "UG", "SN", "CI", "MU"}
	meFootprint       = []string{"AE", "SA", "QA", "KW", "BH", "OM", "JO", "IL", "TR"}
	globalFootprint   = []string{"US", "CA", "MX", "BR", "GB", "FR", "DE", "ES", "IT", "PT", "NL", "IE", "CH", "SE",
		"NO", "PL", "TR", "AE", "SA", "IL", "IN", "CN", "JP", "KR", "SG", "TH", "MY", "ID", "AU", "NZ", "ZA", "EG"}
)

// catalogue is the seeded product list, in the order the API lists it.
var catalogue = lazy.Value[[]*product]{New: func() []*product {
	return []*product{
		{ID: "qJ+qU2v/9vFgX3rpyPlEV1CihTo96AWUmsQTIZEn/jI=", Name: "Europe 1GB 7 days", Description: "1 GB of data for a week in 32 European countries",
			PlanID: "1GLOBAL-STANDARD", Period: 7, DataValue: 1, DataUnit: "GB", Footprint: euFootprint, ActiveCountries: []string{"ALL"},
			Pricing: map[string]string{"EUR": "4.99", "USD": "5.49", "GBP": "4.29", "JPY": "800"}, Region: "europe"},
		{ID: "brXJ4UXLbZiiqGph6636YVI-lbQIo5wu5_5-1xzPmkk=", Name: "Europe 5GB 30 days", Description: "5 GB of data for 30 days in 32 European countries",
			PlanID: "1GLOBAL-STANDARD", Period: 30, DataValue: 5, DataUnit: "GB", Footprint: euFootprint, ActiveCountries: []string{"ALL"},
			Pricing: map[string]string{"EUR": "14.99", "USD": "16.49", "GBP": "12.99"}, Region: "europe"},
		{ID: "PriopJcUz0o_oVePlYma45l-jLej6aJ1odPbXLAJJnE=", Name: "Europe 20GB 30 days", Description: "20 GB of data for 30 days in 32 European countries",
			PlanID: "1GLOBAL-STANDARD", Period: 30, DataValue: 20, DataUnit: "GB", Footprint: euFootprint, ActiveCountries: []string{"ALL"},
			Pricing: map[string]string{"EUR": "34.99", "USD": "37.99", "GBP": "29.99", "JPY": "5600"}, Region: "europe"},
		{ID: "skzhGtKD3rqR29sjfzVVY4w2JuUR_nIX-p01Sp7cBTc=", Name: "Global 1GB 7 days", Description: "1 GB of data for a week in 32 countries on six continents",
			PlanID: "1GLOBAL-STANDARD", Period: 7, DataValue: 1, DataUnit: "GB", Footprint: globalFootprint, ActiveCountries: []string{"ALL"},
			Pricing: map[string]string{"EUR": "9.99", "USD": "10.99", "GBP": "8.49"}, Region: "global"},
		{ID: "tSOuhlHrJGaSrfgs91nhzJNqDtFA9pr+k1dCUokb/5M=", Name: "Global 10GB 365 days", Description: "10 GB of data for a year in 32 countries on six continents",
			PlanID: "1GLOBAL-STANDARD", Period: 365, DataValue: 10, DataUnit: "GB", Footprint: globalFootprint, ActiveCountries: []string{"ALL"},
			Pricing: map[string]string{"EUR": "79", "USD": "85", "GBP": "68", "JPY": "12800"}, Region: "global"},
		{ID: "zs7AVOWBabrJBTz1Z8dK8IbLpK+sRiO+uo0pZ/eYtyw=", Name: "Asia 3GB 15 days", Description: "3 GB of data for 15 days across East and South-East Asia",
			PlanID: "1GLOBAL-STANDARD", Period: 15, DataValue: 3, DataUnit: "GB", Footprint: asiaFootprint, ActiveCountries: []string{"ALL"},
			Pricing: map[string]string{"EUR": "12.5", "USD": "13.5", "JPY": "2000", "SGD": "18.9"}, Region: "asia"},
		{ID: "izgPv-r-t4M6x1rgP9fTB-9VfHQmGEInrw-h_49oVVw=", Name: "Americas 10GB 30 days", Description: "10 GB of data for 30 days from Canada to Chile",
			PlanID: "1GLOBAL-STANDARD", Period: 30, DataValue: 10, DataUnit: "GB", Footprint: americasFootprint, ActiveCountries: []string{"ALL"},
			Pricing: map[string]string{"EUR": "29.99", "USD": "32", "CAD": "44.99", "MXN": "599"}, Region: "americas"},
		{ID: "TEo-WSkVbX3k89uV0qd2E61So8dONd_Yek4b0uCEf44=", Name: "USA 50GB 30 days", Description: "50 GB of data for 30 days in the United States",
			PlanID: "1GLOBAL-STANDARD", Period: 30, DataValue: 50, DataUnit: "GB", Footprint: []string{"US"}, ActiveCountries: []string{"US", "CA", "GB", "DE", "FR"},
			Pricing: map[string]string{"EUR": "45", "USD": "49", "GBP": "39"}, Region: "united-states"},
		{ID: "hNxJWoefF1eo+3fCZIo8JPIc/KsEiIeb5+H+yPeq0Ls=", Name: "Japan 2GB 7 days", Description: "2 GB of data for a week in Japan",
			PlanID: "1GLOBAL-STANDARD", Period: 7, DataValue: 2, DataUnit: "GB", Footprint: []string{"JP"}, ActiveCountries: []string{"ALL"},
			Pricing: map[string]string{"EUR": "7.99", "USD": "8.49", "JPY": "1300", "KRW": "11900"}, Region: "japan"},
		{ID: "edzMd-5PJz4BFvbfmwyVhphvY-I_XIGp9CtlKO5_9-A=", Name: "Portugal 500MB 1 day", Description: "500 MB of data for one day in Portugal",
			PlanID: "1GLOBAL-STANDARD", Period: 1, DataValue: 500, DataUnit: "MB", Footprint: []string{"PT"}, ActiveCountries: []string{"PT", "ES", "FR", "GB"},
			Pricing: map[string]string{"EUR": "1.99", "USD": "2.19", "GBP": "1.69"}, Region: "portugal"},
		{ID: "a0fGJoBQd-_7hC9GXwpYb8d7V034JSuQAh1Mze8Z-n8=", Name: "United Kingdom 5GB 14 days", Description: "5 GB of data for two weeks in the United Kingdom",
			PlanID: "1GLOBAL-STANDARD", Period: 14, DataValue: 5, DataUnit: "GB", Footprint: []string{"GB", "IM", "JE", "GG"}, ActiveCountries: []string{"GB"},
			Pricing: map[string]string{"EUR": "11.99", "GBP": "9.99", "USD": "12.99"}, Region: "united-kingdom"},
		{ID: "uwRIBZ_ixK2die-pS3MuElMJsOjVgGwyz6oZ0sdtDcI=", Name: "Africa 1GB 30 days", Description: "1 GB of data for 30 days in 12 African countries",
			PlanID: "1GLOBAL-STANDARD", Period: 30, DataValue: 1, DataUnit: "GB", Footprint: africaFootprint, ActiveCountries: []string{"ALL"},
			Pricing: map[string]string{"EUR": "19.99", "USD": "21.99", "ZAR": "399", "XOF": "13100"}, Region: "africa"},
		{ID: "qE3LK4Ddcdgvazzr_ausnu8qlTWQrdBJ8cox6KAoL-w=", Name: "Middle East 3GB 30 days", Description: "3 GB of data for 30 days in the Gulf, the Levant and Turkey",
			PlanID: "1GLOBAL-PARTNER", Period: 30, DataValue: 3, DataUnit: "GB", Footprint: meFootprint, ActiveCountries: []string{"ALL"},
			Pricing: map[string]string{"EUR": "17.5", "USD": "18.99", "AED": "69", "BHD": "7.2"}, Region: "middle-east"},
		{ID: "URM_c34BD9mtDcxWf2j-HubWA9lFUhSLFDDhwtGBzag=", Name: "Oceania 8GB 30 days", Description: "8 GB of data for 30 days in Australia and New Zealand",
			PlanID: "1GLOBAL-PARTNER", Period: 30, DataValue: 8, DataUnit: "GB", Footprint: []string{"AU", "NZ"}, ActiveCountries: []string{"AU", "NZ", "GB", "US"},
			Pricing: map[string]string{"EUR": "24.99", "AUD": "39.99", "NZD": "44.99", "USD": "26.99"}, Region: "oceania"},
		{ID: FailProductID, Name: "Sandbox failure trigger", Description: "Orders of this product always end FAILED (sandbox only)",
			PlanID: "1GLOBAL-STANDARD", Period: 1, DataValue: 100, DataUnit: "MB", Footprint: []string{"PT"}, ActiveCountries: []string{"ALL"},
			Pricing: map[string]string{"EUR": "0.5"}, Region: "portugal"},
	}
}}

// productTables indexes the catalogue by id. Built on first use, like
// countries below: the sandbox lives in every connectctl binary, and its
// tables must cost nothing until `sandbox serve` (or a test) asks for them.
type productIndexes struct {
	byID  map[string]*product
	index map[string]int
}

var productTables = lazy.Value[productIndexes]{New: func() productIndexes {
	t := productIndexes{byID: make(map[string]*product, len(catalogue.Get())), index: make(map[string]int, len(catalogue.Get()))}
	for i, p := range catalogue.Get() {
		t.byID[p.ID] = p
		t.index[p.ID] = i
	}
	return t
}}

func productByID(id string) *product { return productTables.Get().byID[id] }

func productIndex(id string) int { return productTables.Get().index[id] }

// zeroDecimal reports the supported currencies without minor units (ISO 4217
// exponent 0). Every other supported currency takes at most two decimals.
func zeroDecimal(currency string) bool {
	switch currency {
	case "CLP", "ISK", "JPY", "KRW", "UGX", "VND", "XAF", "XOF":
		return true
	}
	return false
}

// eurRates are the supported currencies (seeds/002) with fixed, rough
// exchange rates per euro, used to price a product in a currency it has no
// list price for.
var eurRates = lazy.Value[map[string]string]{New: func() map[string]string {
	return map[string]string{
		"USD": "1.08", "ALL": "100", "DZD": "146", "ARS": "950", "AMD": "420", "AUD": "1.65", "BHD": "0.41", "BDT": "127",
		"BBD": "2.17", "BOB": "7.5", "BRL": "5.9", "GBP": "0.85", "BND": "1.45", "BGN": "1.96", "KHR": "4400", "CAD": "1.48",
		"XAF": "656", "CLP": "1010", "CNY": "7.8", "COP": "4400", "CRC": "560", "CZK": "25", "DKK": "7.46", "DOP": "65",
		"EGP": "52", "EUR": "1", "FJD": "2.45", "GEL": "2.95", "HKD": "8.45", "HUF": "395", "ISK": "150", "INR": "90",
		"IDR": "17500", "ILS": "4", "JMD": "170", "JPY": "162", "JOD": "0.77", "KZT": "520", "KES": "140", "KWD": "0.33",
		"KGS": "93", "LBP": "97000", "MKD": "61.5", "MYR": "4.8", "MUR": "50", "MXN": "20", "MDL": "19.2", "MAD": "10.8",
		"NPR": "144", "NZD": "1.8", "NGN": "1700", "NOK": "11.6", "OMR": "0.42", "PKR": "300", "PEN": "4.05", "PHP": "62",
		"QAR": "3.93", "RON": "4.97", "RUB": "98", "SAR": "4.05", "RSD": "117", "SGD": "1.45", "ZAR": "20", "KRW": "1480",
		"XDR": "0.81", "LKR": "320", "SEK": "11.4", "CHF": "0.95", "TWD": "35", "TJS": "11.6", "THB": "38", "TTD": "7.3",
		"TND": "3.35", "TRY": "36", "AED": "3.97", "UGX": "4000", "UAH": "44", "UYU": "43", "UZS": "13800", "VND": "27000",
		"XOF": "656", "PLN": "4.3",
	}
}}

func supportedCurrency(c string) bool { _, ok := eurRates.Get()[c]; return ok }

// currencyDecimals is how many decimals an amount in c may have.
func currencyDecimals(c string) int {
	if zeroDecimal(c) {
		return 0
	}
	return 2
}

// priceIn is the product's price in currency c: its list price when it has
// one, else the euro price converted and rounded to the currency's decimals.
func (p *product) priceIn(c string) string {
	if v, ok := p.Pricing[c]; ok {
		return v
	}
	eur, ok1 := new(big.Rat).SetString(p.Pricing["EUR"])
	rate, ok2 := new(big.Rat).SetString(eurRates.Get()[c])
	if !ok1 || !ok2 {
		return "0"
	}
	v := new(big.Rat).Mul(eur, rate)
	return roundRat(v, currencyDecimals(c))
}

// amountOut writes a major-unit decimal as the edition wants it: as is in
// v1, as an integer of the currency's smallest unit in 2024 (3.53 USD: 353,
// 800 JPY: 800).
func amountOut(major, currency string, minor bool) string {
	if !minor {
		return major
	}
	v, ok := new(big.Rat).SetString(major)
	if !ok {
		return major
	}
	v.Mul(v, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(currencyDecimals(currency))), nil)))
	return v.FloatString(0)
}

// roundRat formats v rounded half up to dec decimals, trailing zeros trimmed.
func roundRat(v *big.Rat, dec int) string {
	s := v.FloatString(dec) // rounds half away from zero
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

// productJSON renders a product as the API does. Products alternate the
// spelling of data.unit / data.units by catalogue position; currency, when
// set, limits (and if need be converts) pricing to that currency.
func productJSON(p *product, currency string, minor bool) map[string]any {
	unitKey := "unit"
	if productIndex(p.ID)%2 == 1 {
		unitKey = "units"
	}
	pricing := map[string]json.RawMessage{}
	if currency != "" {
		pricing[currency] = json.RawMessage(amountOut(p.priceIn(currency), currency, minor))
	} else {
		for c, v := range p.Pricing {
			pricing[c] = json.RawMessage(amountOut(v, c, minor))
		}
	}
	return map[string]any{
		"id":              p.ID,
		"name":            p.Name,
		"description":     p.Description,
		"plan_id":         p.PlanID,
		"period":          p.Period,
		"period_unit":     "DAYS",
		"data":            map[string]any{"value": p.DataValue, unitKey: p.DataUnit},
		"footprint":       p.Footprint,
		"activeCountries": p.ActiveCountries,
		"pricing":         pricing,
		"region":          p.Region,
	}
}

// countries are the current ISO 3166-1 alpha-2 codes.
var countries = lazy.Value[map[string]bool]{New: func() map[string]bool {
	const list = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ " +
		"CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR " +
		"GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP " +
		"KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT " +
		"MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW " +
		"SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG " +
		"UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW"
	m := map[string]bool{}
	for _, c := range strings.Fields(list) {
		m[c] = true
	}
	return m
}}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
