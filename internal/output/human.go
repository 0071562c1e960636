package output

import (
	"math"
	"strconv"
	"strings"
)

// byteUnits are the units Bytes picks from. They are binary multiples spelled
// the way the Connect API spells them: its products say "1 GB" for a plan whose
// balance is 1073741824 bytes, so a 1 GB plan shows as "1 GB" everywhere.
var byteUnits = []string{"B", "KB", "MB", "GB", "TB", "PB", "EB"}

// Bytes formats a byte count for a person, in binary units with the API's
// names: 1073741824 is "1 GB", 524288000 is "500 MB", 1288490189 is "1.2 GB",
// 512 is "512 B". One decimal at most, dropped when it is zero. Negative
// counts keep their sign.
func Bytes(n int64) string {
	if n < 0 {
		if n == math.MinInt64 {
			return "-8 EB"
		}
		return "-" + Bytes(-n)
	}
	if n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	v := float64(n)
	i := 0
	for v >= 1024 && i < len(byteUnits)-1 {
		v /= 1024
		i++
	}
	r := math.Round(v*10) / 10
	if r >= 1024 && i < len(byteUnits)-1 { // 1023.96 MB rounds up to the next unit
		r, i = 1, i+1
	}
	return trimZero(strconv.FormatFloat(r, 'f', 1, 64)) + " " + byteUnits[i]
}

// BytesFromDataSize formats a product's data allowance (data.value and
// data.unit as the API sends them, e.g. 5 and "GB") the way Bytes formats the
// same number of bytes, so a plan and its balance read alike: (1, "GB") and
// (1024, "MB") are both "1 GB". An unknown unit prints as given.
func BytesFromDataSize(value float64, unit string) string {
	u := strings.ToUpper(strings.TrimSpace(unit))
	for i, name := range byteUnits {
		if name == u {
			b := value * math.Pow(1024, float64(i))
			if b > math.MaxInt64 || b < math.MinInt64 || math.IsNaN(b) {
				break
			}
			return Bytes(int64(math.Round(b)))
		}
	}
	s := trimZero(strconv.FormatFloat(value, 'f', -1, 64))
	if unit == "" {
		return s
	}
	return s + " " + unit
}

func trimZero(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	return s
}

// Plural spells a count of things for people: "1 row", "2 rows".
func Plural(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return strconv.Itoa(n) + " " + thing + "s"
}
