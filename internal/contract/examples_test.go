package contract

// Answers and requests as the documents show them (seeds/000 v1 reference,
// seeds/002 2024 conventions) and as docs/sandbox.md describes them.

const (
	exProducts = `[{
  "id": "SaLjq5bqP8rsY5k8VVQtFs_punENj1R8ima-M3DQTjg=",
  "name": "My awesome connectivity product",
  "description": "A more detailed description of my product",
  "period": 365, "period_unit": "DAYS",
  "data": {"value": 10, "units": "MB"},
  "footprint": ["US", "GB", "PT"],
  "activeCountries": ["ALL"],
  "pricing": {"EUR": 10},
  "region": "global"
}, {
  "id": "Q-hzHc6EErZPQcgw2L02_nDdruGtr6lDrM-jmja_xuE=",
  "name": "Europe 1GB", "period": 7, "period_unit": "DAYS",
  "data": {"value": 1, "unit": "GB"},
  "footprint": ["PT", "ES"], "activeCountries": ["PT"],
  "pricing": {"EUR": 5.5, "USD": 6}, "region": "europe"
}]`

	exProduct = `{
  "id": "SaLjq5bqP8rsY5k8VVQtFs_punENj1R8ima-M3DQTjg=",
  "name": "My awesome connectivity product",
  "description": "A more detailed description of my product",
  "period": 365, "period_unit": "DAYS",
  "data": {"value": 10, "units": "MB"},
  "footprint": ["US", "GB", "PT"], "activeCountries": ["ALL"],
  "pricing": {"EUR": 10}, "region": "global"
}`

	exOrderRequest = `{"input": {
  "operationType": "NEW_ESIM",
  "countryCode": "PT",
  "customer": {"email": "john@doe.com"},
  "device": {"id": "6d41c4ff-1877-4d13-82b0-7dad02c4b02a", "type": "ios"},
  "subscriptions": [{"product_id": "SaLjq5bqP8rsY5k8VVQtFs_punENj1R8ima-M3DQTjg=", "price": 10.99, "currency": "USD"}]
}}`

	exOrderRequestFull = `{"input": {
  "operationType": "NEW_ESIM",
  "countryCode": "GB",
  "customer": {"email": "ops@example.com", "firstName": "Ada", "lastName": "Lovelace", "countryOfResidence": "GB"},
  "device": {"id": "dev-1", "type": "android", "model": "Pixel 8", "make": "Google", "eid": "89049032004008882600019002594762"},
  "subscriptions": [
    {"product_id": "SaLjq5bqP8rsY5k8VVQtFs_punENj1R8ima-M3DQTjg=", "activationDate": "2030-01-01T00:00:00Z"},
    {"product_id": "Q-hzHc6EErZPQcgw2L02_nDdruGtr6lDrM-jmja_xuE=", "price": 353, "currency": "JPY"}
  ]
}}`

	exTopupRequest = `{"input": {
  "operationType": "TOPUP",
  "esim": {"iccid": "8944478600000205337"},
  "subscriptions": [{"product_id": "SaLjq5bqP8rsY5k8VVQtFs_punENj1R8ima-M3DQTjg="}]
}}`

	exTopupActivationRequest = `{"input": {
  "operationType": "TOPUP_ACTIVATION",
  "esim": {"iccid": "8944478600000205337"},
  "subscriptions": [{"product_id": "SaLjq5bqP8rsY5k8VVQtFs_punENj1R8ima-M3DQTjg="}]
}}`

	exOrderAccepted = `{"id": "6d41c4ff-1877-4d13-82b0-7dad02c4b02a", "externalId": "6d41c4ff-1877-4d13-82b0-7dad02c4b02a", "status": "ACCEPTED"}`

	exOrders = `[
  {"output": {"matchingId": "5C-M1OIY-QHWKD1", "iccid": "8944478600000205337", "smdpUrl": "rsp.truphone.com",
              "lpa_url": "LPA:1$%rsp.truphone.com$%5C-M1OIY-QHWKD1",
              "subscription_id": "a-5gVXH2sjvICL7U5roet1hMC35UYSCCi4Mbiszdceo="},
   "status": "COMPLETED", "externalId": "b27ec0e7-ad36-45ab-8e2f-c291441a2355", "id": "b27ec0e7-ad36-45ab-8e2f-c291441a2355"},
  {"status": "ACCEPTED", "externalId": "e7897593-ac1a-472f-a847-cad8a9e5171c", "id": "e7897593-ac1a-472f-a847-cad8a9e5171c"}
]`

	// The seed's example has a trailing comma after lpa_url; this is it fixed.
	exOrderCompleted = `{
  "id": "6d41c4ff-1877-4d13-82b0-7dad02c4b02a",
  "status": "COMPLETED",
  "output": {
    "iccid": "8944000013283712983321",
    "matchingId": "6C-DA326D-K86D",
    "subscription_id": "Q-hzHc6EErZPQcgw2L02_nDdruGtr6lDrM-jmja_xuE=",
    "smdpUrl": "rsp.truphone.com",
    "lpa_url": "1$rsp.truphone.com$6C-DA326D-K86D"
  }
}`

	exOrderFulfiling = `{"id": "0d41c4ff-1877-4d13-82b0-7dad02c4b02a", "externalId": "0d41c4ff-1877-4d13-82b0-7dad02c4b02a", "status": "FULFILING", "output": null}`

	exOrderFailed = `{"id": "6d41c4ff-1877-4d13-82b0-7dad02c4b02a", "externalId": "6d41c4ff-1877-4d13-82b0-7dad02c4b02a", "status": "FAILED", "error": "the order failed"}`

	exOrdersHAL = `{
  "_embedded": {"orders": [
    {"id": "b27ec0e7-ad36-45ab-8e2f-c291441a2355", "externalId": "b27ec0e7-ad36-45ab-8e2f-c291441a2355", "status": "FULFILLING"}
  ]},
  "_links": {
    "self": {"href": "http://127.0.0.1:7787/v1/order?limit=1"},
    "next": {"href": "http://127.0.0.1:7787/v1/order?cursor=MTY3NjEzMzkxMS8yNUMxMEYzNkJBODA1NTkwMDAwMDAw&limit=1"}
  }
}`

	exSims = `[
  {"id": "8944478600000000217", "url": "/v1/sim/8944478600000000217"},
  {"id": "8944478600000205543", "url": "/v1/sim/8944478600000205543"}
]`

	exSimsHAL = `{
  "_embedded": {"sims": [{"id": "8944478600000000217", "url": "/v1/sim/8944478600000000217"}]},
  "_links": {
    "self": {"href": "http://127.0.0.1:7787/v1/sim?limit=1"},
    "prev": {"href": "http://127.0.0.1:7787/v1/sim?cursor=MTY3NjE1ODU1MS8yNUMxOTgxRjA1RDU5MDAwMDAwMA%3D%3D&limit=1"}
  }
}`

	exSim = `{
  "iccid": "8944478600000000217",
  "eid": "89049032004008882600019002594762",
  "matching_id": "5C-IVCRP-QTQRML",
  "lpa_url": "LPA:1$rsp.truphone.com$5C-IVCRP-QTQRML",
  "status": "Installed"
}`

	exSimOdd = `{
  "iccid": "8944478600000205337",
  "matchingId": "5C-M1OIY-QHWKD1",
  "lpa_url": "LPA:1$%rsp.truphone.com$%5C-M1OIY-QHWKD1",
  "profileStatus": "Released",
  "last_modified": "2024-10-17T10:00:00Z"
}`

	exSimSubscriptions = `[{
  "status": "DEPLETED",
  "id": "Njc1NzY1NzY1ZDIK",
  "initialBalance": "314572800",
  "spentBalance": "314572800",
  "activationDate": "2019-08-01T09:09:33Z",
  "expirationDate": "2019-08-02T09:09:33Z",
  "createdDate": "2020-03-19T15:51:41Z",
  "product": {"id": "MzA5MjE3ODMwOTEyCg==", "name": "Prepaid data 30GB", "period": 0, "period_unit": "DAYS", "plan_id": "1GLOBALinternalPlan_Id"},
  "iccid": "8944474600000109299",
  "device_id": "12345657",
  "auto_renew": "false"
}]`

	exSubscription = `{
  "id": "SaLjq5bqP8rsY5k8VVQtFs_punENj1R8ima-M3DQTjg=",
  "status": "ACTIVE",
  "initialBalance": "1073741824",
  "spentBalance": "1024",
  "activationDate": "2020-10-16T19:05:05Z",
  "expirationDate": "2020-11-16T19:05:05Z",
  "createdDate": "2020-11-16T19:05:05Z",
  "product": {
    "id": "SaLjq5bqP8rsY5k8VVQtFs_punENj1R8ima-M3DQTjg=",
    "name": "My awesome connectivity product",
    "description": "A more detailed description of my product",
    "period": 365, "period_unit": "DAYS",
    "data": {"value": 10, "units": "MB"},
    "footprint": ["US", "GB", "PT"], "activeCountries": ["ALL"],
    "pricing": {"EUR": 10}, "region": "global"
  },
  "iccid": "8944478600000213091",
  "device_id": "123456"
}`

	exSubscriptionsHAL = `{
  "_embedded": {"subscriptions": [` + exSubscription + `]},
  "_links": {"self": {"href": "http://127.0.0.1:7787/v1/subscription?limit=1"}}
}`

	// Tolerated: balances as integers, auto_renew as a boolean, nulls.
	exSubscriptionLoose = `{
  "id": "c3ViLTE=", "status": "PENDING",
  "initialBalance": 1073741824, "spentBalance": 0,
  "activationDate": "2030-01-01T00:00:00.123456789+01:00", "expirationDate": null,
  "createdDate": "2024-10-17T10:00:00Z",
  "product": {"id": "cHJvZA==", "name": "p", "data": {"value": 1, "unit": "GB"}},
  "iccid": "8944478600000213091", "device_id": null, "auto_renew": true, "extra": {"added": "later"}
}`

	exPreferences = `{"notifications": [{"type": "USAGE_THRESHOLD", "webhook_url": "https://example.com/hook"}, {"type": "SUBSCRIPTION_END", "webhook_url": "https://example.com/hook"}]}`

	exCustomer = `{"id": "cust-1", "email": "ada@example.com", "firstName": "Ada", "lastName": "Lovelace", "countryOfResidence": "GB"}`

	exV1Error401 = `{"type": "UNAUTHORISED", "messages": ["The access token is missing, unknown, revoked or expired"]}`
	exV1Error400 = `{"type": "INVALID_REQUEST_PARAMS", "messages": ["size must be between 1 and 40"]}`
	exV1Error500 = `{"type": "INTERNAL_ERROR", "messages": ["Something went wrong"]}`

	exProblem = `{
  "title": "Invalid request parameters",
  "status": 400,
  "detail": "Invalid request parameters",
  "errors": [
    {"code": "MISSING_CONDITIONAL_MANDATORY_FIELD", "detail": "Field(s) [first_name, last_name, email, address] cannot be null when field [id] is equal to [null]", "json_path": "$.subscriber.id"},
    {"code": "GENERIC_ERROR", "detail": "must not be empty", "json_path": "$.purchase_location"}
  ],
  "correlation_id": "daaccc90-dd03-471c-a892-0e8c5ec27026"
}`

	exProblem504 = `{"title": "Gateway Timeout", "status": 504, "detail": "upstream timed out", "correlation_id": "c-1"}`

	exRateLimited = `{"message": "Rate limit exceeded ! You reach the limit of 10 requests per 1 minutes", "http_status_code": 429}`

	exHTML502 = `<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>`
)
