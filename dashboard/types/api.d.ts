// Generated from the service's OpenAPI document (/docs/json) by test/helpers/openapi-types.ts,
// checked by test/unit/api/contract.test.ts. Do not edit: change the zod schema, then run
// `npx vitest run --config test/vitest.config.ts test/unit/api/contract.test.ts -u`.

/** GET /api/sites */
export type SitesAnswer = Array<Site>;

/** GET /api/sites/{site}/latest */
export type LatestAnswer = {
  site: string;
  values: Array<{
    device: string;
    quantity: "energy_kwh" | "gas_m3" | "water_m3" | "heat_kwh" | "power_w" | "temperature_c" | "humidity_pct" | "co2_ppm" | "occupancy" | "presence";
    unit: string;
    kind: "cumulative" | "instantaneous";
    value: number;
    /** ISO 8601 time of the reading (the device clock) */
    ts: string;
    tsMs: number;
  }>;
};

/** GET /api/sites/{site}/series */
export type SeriesAnswer = {
  site: string;
  device: string;
  quantity: string;
  unit: string;
  timezone: string;
  every: "1m" | "5m" | "10m" | "15m" | "30m" | "1h" | "1d";
  /** ISO 8601 */
  from: string;
  fromMs: number;
  /** ISO 8601 */
  to: string;
  toMs: number;
  kind: "instantaneous";
  buckets: Array<{
    /** ISO 8601 */
    start: string;
    startMs: number;
    count: number;
    mean: number;
    min: number;
    max: number;
  }>;
} | {
  site: string;
  device: string;
  quantity: string;
  unit: string;
  timezone: string;
  every: "1m" | "5m" | "10m" | "15m" | "30m" | "1h" | "1d";
  /** ISO 8601 */
  from: string;
  fromMs: number;
  /** ISO 8601 */
  to: string;
  toMs: number;
  kind: "cumulative";
  totalConsumption: number;
  buckets: Array<{
    /** ISO 8601 */
    start: string;
    startMs: number;
    count: number;
    /** Last index in the bucket − last index before it; never negative */
    consumption: number;
    index: number;
    /** The index decreased; a negative step was counted as 0 */
    counterReset: boolean;
    /** No earlier index: counted from the first reading of the bucket */
    incomplete: boolean;
  }>;
};

/** GET /api/sites/{site}/kpis */
export type KpisAnswer = {
  site: string;
  /** Local date YYYY-MM-DD */
  from: string;
  /** Local date YYYY-MM-DD */
  to: string;
  status: "ok" | "insufficient-data";
  coverage: Coverage;
  kpis: FlatKpis;
  /** Site-level: no meter, or too few measured hours */
  problems: Array<Problem>;
  baselineProblems: Array<Problem>;
  climateCorrectionProblems: Array<Problem>;
  deviationProblems: Array<Problem>;
  decretTertiaire: (DecretTertiaire) | null;
  climateCorrection: ({
    kWh: number;
    kWhPerM2: number;
    heatingKWh: number;
    actualDju: number;
    referenceDju: number;
    reference: "normal-year" | "baseline-period";
  }) | null;
  cusum: (Array<{
    /** Local date YYYY-MM-DD */
    date: string;
    cusumKWh: number;
    known: boolean;
  }>) | null;
  calendarSource: "config" | "default";
  /** Weekdays that look like non-working days (no calendar configured) */
  nonWorkingCandidates: (Array<{
    /** Local date YYYY-MM-DD */
    date: string;
    energyKWh: number;
    holiday?: string;
  }>) | null;
  correctionCount: number;
};

/** GET /api/sites/{site}/baseline */
export type BaselineAnswer = {
  site: string;
  /** Local date YYYY-MM-DD */
  from: string;
  /** Local date YYYY-MM-DD */
  to: string;
  referencePeriod: ({
    /** Local date YYYY-MM-DD */
    from: string;
    /** Local date YYYY-MM-DD */
    to: string;
  }) | null;
  fitted: boolean;
  accepted: boolean;
  problems: Array<Problem>;
  model: ({
    segmentation: "single" | "working/non-working";
    working: {
      kind: "intercept-only" | "heating-only" | "cooling-only" | "heating-cooling";
      interceptKWh: number;
      heatingKWhPerDegreeDay: number;
      coolingKWhPerDegreeDay: number;
      heatingBalanceC: (number) | null;
      coolingBalanceC: (number) | null;
      r2: (number) | null;
      adjR2: (number) | null;
      n: number;
      p: number;
    };
    nonWorking: {
      kind: "intercept-only" | "heating-only" | "cooling-only" | "heating-cooling";
      interceptKWh: number;
      heatingKWhPerDegreeDay: number;
      coolingKWhPerDegreeDay: number;
      heatingBalanceC: (number) | null;
      coolingBalanceC: (number) | null;
      r2: (number) | null;
      adjR2: (number) | null;
      n: number;
      p: number;
    };
    parameters: number;
    daysUsed: number;
  }) | null;
  fitQuality: ({
    criteria: string;
    daily: {
      n: number;
      p: number;
      cvRmsePct: (number) | null;
      nmbePct: (number) | null;
      r2: (number) | null;
    };
    monthly: {
      n: number;
      p: number;
      cvRmsePct: (number) | null;
      nmbePct: (number) | null;
      r2: (number) | null;
    };
  }) | null;
  days: Array<{
    /** Local date YYYY-MM-DD */
    date: string;
    dayType: "working" | "weekend" | "holiday" | "closure";
    actualKWh: (number) | null;
    expectedKWh: (number) | null;
    /** expectedKWh − 1.96 × daily RMSE of the fit (not below 0): about 95 % of reference days fall in the band */
    expectedLowKWh: (number) | null;
    /** expectedKWh + 1.96 × daily RMSE of the fit */
    expectedHighKWh: (number) | null;
    tMeanC: (number) | null;
  }>;
  /** The days summed per calendar month; a figure is null unless every day of the month inside the period has one */
  months: Array<{
    /** YYYY-MM */
    month: string;
    /** Days of the month inside the period */
    days: number;
    actualKWh: (number) | null;
    expectedKWh: (number) | null;
    measuredDays: number;
  }>;
  hourOfWeekProfile: (Array<{
    slot: number;
    median: (number) | null;
    p10: (number) | null;
    p90: (number) | null;
    count: number;
  }>) | null;
};

/** GET /api/sites/{site}/degree-days */
export type DegreeDaysAnswer = {
  site: string;
  /** Local date YYYY-MM-DD */
  from: string;
  /** Local date YYYY-MM-DD */
  to: string;
  method: "meteo" | "costic";
  baseC: number;
  temperatureSource: ({
    site?: string;
    device: string;
    quantity: string;
  }) | null;
  problems: Array<Problem>;
  totalHddC: (number) | null;
  totalCddC: (number) | null;
  daysUsed: number;
  daysOmitted: Array<string>;
  days: Array<{
    /** Local date YYYY-MM-DD */
    date: string;
    hours: number;
    tMinC: (number) | null;
    tMaxC: (number) | null;
    tMeanC: (number) | null;
    hddC: (number) | null;
    cddC: (number) | null;
    sufficient: boolean;
    reason?: string;
  }>;
};

/** GET /api/sites/{site}/hourly-energy */
export type HourlyEnergyAnswer = {
  site: string;
  from: string;
  to: string;
  timezone: string;
  unit: "kWh";
  coverage: Coverage;
  /** no-energy-meter, or insufficient-coverage when no hour of the period is measured */
  problems: Array<Problem>;
  days: Array<{
    /** Local date YYYY-MM-DD */
    date: string;
    dayType: "working" | "weekend" | "holiday" | "closure";
    /** Final energy per local wall-clock hour 0…23; null when not fully measured. Autumn DST: the repeated hour holds both; spring DST: the skipped hour is null */
    kWh: Array<(number) | null>;
  }>;
};

/** GET /api/sites/{site}/hourly-baseline */
export type HourlyBaselineAnswer = {
  site: string;
  from: string;
  to: string;
  timezone: string;
  unit: "kWh";
  /** The baseline period the hour-of-week profile is learnt from */
  referencePeriod: ({
    from: string;
    to: string;
  }) | null;
  /** Fewest ordinary weeks a slot needs before its expected value and band are stated */
  minSlotWeeks: number;
  /** The band is the 10th to 90th percentile of the same hour of the same weekday in the reference period */
  band: "p10-p90";
  coverage: Coverage;
  /** no-baseline-period, no-energy-meter, insufficient-coverage, hourly-profile-few-weeks */
  problems: Array<Problem>;
  hours: Array<{
    /** Local date YYYY-MM-DD */
    date: string;
    /** Local wall-clock hour 0…23 */
    hour: number;
    dayType: "working" | "weekend" | "holiday" | "closure";
    /** Final energy of the hour; null when not fully measured */
    actualKWh: (number) | null;
    /** Median of the hour-of-week slot in the reference period */
    expectedKWh: (number) | null;
    /** P10 of the slot */
    lowKWh: (number) | null;
    /** P90 of the slot */
    highKWh: (number) | null;
    /** Hours of the reference period in this slot (ordinary weeks seen) */
    slotWeeks: number;
    /** Why expectedKWh is null: no baseline period; a holiday or closure (the profile leaves them out); fewer than minSlotWeeks weeks; the autumn DST hour holding two hours; the spring DST hour that does not exist */
    noExpected: ("no-profile" | "unusual-day" | "few-weeks" | "repeated-hour" | "skipped-hour") | null;
  }>;
};

/** GET /api/compare */
export type CompareAnswer = {
  /** Local date YYYY-MM-DD */
  from: string;
  /** Local date YYYY-MM-DD */
  to: string;
  rankBy: string;
  sites: Array<{
    site: string;
    name: string;
    usage: "office" | "industrial" | "education" | "warehouse" | "retail" | "other";
    floorAreaM2: number;
    /** 1 = lowest; null without a figure (insufficient data) */
    rank: (number) | null;
    status: "ok" | "insufficient-data";
    coverage: Coverage;
    measuredSharePct: number;
    finalEnergyKWh: (number) | null;
    kWhPerM2: (number) | null;
    climateCorrectedKWhPerM2: (number) | null;
    climateCorrectedKWh: (number) | null;
    electricityKWh: (number) | null;
    gasM3: (number) | null;
    heatKWh: (number) | null;
    waterM3: (number) | null;
    deviationKWh: (number) | null;
    deviationPct: (number) | null;
    /** Of the days the deviation compares, those inside the baseline's reference period: the model was fitted on them, so the deviation there is near 0 by construction (in-sample) */
    deviationInReferenceDays: (number) | null;
    baselineMonthlyCvRmsePct: (number) | null;
    baselineMonthlyNmbePct: (number) | null;
    baseloadKW: (number) | null;
    outOfHoursSharePct: (number) | null;
    hddC: (number) | null;
    cddC: (number) | null;
    /** Site-level: no meter, or too few measured hours */
    problems: Array<Problem>;
    baselineProblems: Array<Problem>;
    climateCorrectionProblems: Array<Problem>;
    deviationProblems: Array<Problem>;
    baselineAccepted: (boolean) | null;
    decretTertiaire: (DecretTertiaire) | null;
  }>;
};

/** GET /api/overview */
export type OverviewAnswer = {
  /** ISO 8601 instant (UTC) */
  generated: string;
  /** A device is silent when its last reading is older than this */
  staleAfterMs: number;
  /** False when the service runs without a state store: no alert is counted */
  alertsAvailable: boolean;
  sites: Array<{
    site: string;
    timezone: string;
    /** Null while the site’s month is read for the first time (status says so) */
    today: ({
      /** Local date YYYY-MM-DD in the site's time zone */
      date: string;
      /** Local midnight */
      from: string;
      /** End of the last complete hour: the figures cover [from, until) */
      until: string;
      /** Complete hours since local midnight */
      elapsedHours: number;
      carriers: Array<{
        carrier: "electricity" | "gas" | "heat" | "water";
        /** kWh for electricity and heat, m3 for gas and water */
        unit: string;
        /** Sum over the measured hours, in `unit`; null when no elapsed hour is measured */
        value: (number) | null;
        /** Elapsed hours fully measured by this carrier, none estimated */
        measuredHours: number;
      }>;
      /** Final energy (gas converted with its stated factor, water left out) over the hours every carrier measured */
      finalKWh: (number) | null;
      finalMeasuredHours: number;
      /** Today against the hour-of-week profile of the reference period (the one of /api/sites/{site}/hourly-baseline and the rules) */
      baseline: {
        /** computing: the profile is being learnt (first request after a start); ask again in a few seconds */
        status: "ok" | "unavailable" | "computing";
        referencePeriod: ({
          from: string;
          to: string;
        }) | null;
        /** Measured hours of today whose hour-of-week slot has a stated median */
        comparedHours: number;
        /** Final energy of the compared hours */
        actualKWh: (number) | null;
        /** Sum of the slots’ medians over the compared hours */
        expectedKWh: (number) | null;
        /** Sum of the slots’ P10 over the compared hours */
        lowKWh: (number) | null;
        /** Sum of the slots’ P90 over the compared hours */
        highKWh: (number) | null;
        /** (actual − expected) / expected, % */
        deviationPct: (number) | null;
        /** Whether actualKWh lies within [lowKWh, highKWh] */
        withinBand: (boolean) | null;
        /** Why there is no comparison, or why some hours are left out */
        problems: Array<Problem>;
      };
    }) | null;
    month: ({
      /** First local day of the month */
      from: string;
      /** ISO 8601 instant (UTC) */
      until: string;
      /** Final energy of the month so far; null under the coverage rule */
      kWh: (number) | null;
      kWhPerM2: (number) | null;
      floorAreaM2: number;
      coverage: Coverage;
      problems: Array<Problem>;
    }) | null;
    /** computing: today, the month or the devices are still being read; ask again in a few seconds */
    status: "ok" | "computing";
    /** The latest power_w reading of each device that has one (the live stream sends the later ones); null while being read */
    power: (Array<{
      device: string;
      /** W */
      valueW: number;
      /** ISO 8601 instant (UTC) */
      at: string;
    }>) | null;
    alerts: {
      /** Alerts not yet acknowledged, by severity */
      open: {
        info: number;
        warning: number;
        critical: number;
      };
      /** Acknowledged alerts not yet resolved */
      acknowledged: number;
    };
    /** Null while the latest readings are still being read (status says computing) */
    devices: ({
      total: number;
      silent: Array<{
        device: string;
        name: (string) | null;
        /** ISO 8601 instant (UTC) */
        lastReading: string;
      }>;
      neverReported: Array<{
        device: string;
        name: (string) | null;
      }>;
    }) | null;
  }>;
};

/** GET /api/health */
export type HealthAnswer = {
  status: "ok" | "degraded" | "down";
  version: string;
  /** Seconds since the API was built */
  uptimeS: number;
  /** ISO time of the newest stored reading */
  lastReading: (string) | null;
  broker: {
    mode: "embedded" | "external";
    connected: boolean;
    endpoint: string;
    lastMessage: (string) | null;
  };
  store: {
    kind: "duckdb" | "influxdb";
    ok: boolean;
    /** A code (store-timeout, store-unavailable, store-not-started), never the store's own text */
    detail: (string) | null;
    lastReading: (string) | null;
  };
  writePath: {
    storeUp: boolean;
    /** False when the spool is full: the broker then keeps messages unacknowledged */
    acknowledging: boolean;
    replaying: boolean;
    /** Spooled readings written to the store since the start (replay progress) */
    replayedReadings: number;
    pendingReadings: number;
    spoolReadings: number;
    spoolBytes: number;
    spoolMaxBytes: number;
    deadLetters: number;
    lastWrite: (string) | null;
    /** Duration of the last successful batch write to the store */
    lastWriteLatencyMs: (number) | null;
    /** A code (store-unreachable, store-timeout, store-unavailable, spool-disk-full, spool-unwritable, spool-io-error…), never an error text */
    lastError: (string) | null;
    /** False while the spool cannot write (disk full, unwritable): nothing is acknowledged, status is down */
    spoolWritable: boolean;
  };
  email: ({
    /** False when SMTP_URL is unset: mails wait in the outbox */
    configured: boolean;
    /** Mails not yet accepted by the SMTP server */
    outboxDepth: number;
    /** The last SMTP failure as a code (smtp-reply-535, smtp-esocket-econnrefused…), never the server text */
    lastError: (string) | null;
    lastErrorAt: (string) | null;
    lastSuccessAt: (string) | null;
    /** Mails that failed so often they are retried every 30 min (never dropped) */
    mailsAtMaxBackoff: number;
  }) | null;
} | {
  status: "up" | "down";
};

/** GET /api/ingest/rejections */
export type RejectionsAnswer = Array<{
  /** ISO 8601 receive time */
  received: string;
  receivedMs: number;
  reason: "unknown-topic" | "unknown-site" | "unknown-device" | "unknown-quantity" | "undeclared-quantity" | "malformed-payload" | "invalid-value" | "unsupported-unit" | "invalid-timestamp" | "future-timestamp" | "oversized-payload" | "missing-field" | "ambiguous-timestamp";
  detail: string;
  field: (string) | null;
  topic: string;
  site: (string) | null;
  device: (string) | null;
  payloadExcerpt: string;
}>;

export type Coverage = {
  /** Hours fully measured by every energy meter, none estimated */
  measuredHours: number;
  /** Hours of the period (23 and 25 on DST days) */
  expectedHours: number;
  /** Hours covered only by a gap spread linearly */
  estimatedHours: number;
  measuredSharePct: number;
  /** The coverage rule: below it no energy figure is stated */
  requiredSharePct: number;
  sufficient: boolean;
};

export type DecretTertiaire = {
  status: "on-track" | "behind" | "insufficient-data";
  referenceYear: number;
  referenceKWh: (number) | null;
  /** Reference consumption prorated to the period */
  referenceForPeriodKWh: (number) | null;
  targetKWh: (number) | null;
  actualKWh: (number) | null;
  /** actual − target: positive is above the trajectory */
  gapKWh: (number) | null;
  reductionTargetPct: (number) | null;
  reductionAchievedPct: (number) | null;
  /** The period's share of a year's expected consumption */
  periodShare: (number) | null;
  proration: ("calendar-year" | "baseline-expected") | null;
  milestones: Array<{
    year: number;
    reductionPct: number;
    targetKWh: number;
  }>;
  problems: Array<Problem>;
};

export type FlatKpis = {
  measuredSharePct: number;
  finalEnergyKWh: (number) | null;
  kWhPerM2: (number) | null;
  climateCorrectedKWhPerM2: (number) | null;
  climateCorrectedKWh: (number) | null;
  electricityKWh: (number) | null;
  gasM3: (number) | null;
  heatKWh: (number) | null;
  waterM3: (number) | null;
  deviationKWh: (number) | null;
  deviationPct: (number) | null;
  /** Of the days the deviation compares, those inside the baseline's reference period: the model was fitted on them, so the deviation there is near 0 by construction (in-sample) */
  deviationInReferenceDays: (number) | null;
  baselineMonthlyCvRmsePct: (number) | null;
  baselineMonthlyNmbePct: (number) | null;
  baseloadKW: (number) | null;
  outOfHoursSharePct: (number) | null;
  hddC: (number) | null;
  cddC: (number) | null;
};

export type Problem = {
  code: "insufficient-coverage";
  params: {
    measuredHours: number;
    expectedHours: number;
    estimatedHours: number;
    measuredSharePct: number;
    requiredSharePct: number;
  };
} | {
  code: "no-energy-meter";
  params: {
    site: string;
  };
} | {
  code: "no-temperature-source";
  params: {
    site: string;
  };
} | {
  code: "no-baseline-period";
  params: {
    site: string;
  };
} | {
  code: "baseline-period-too-short";
  params: {
    from: string;
    to: string;
    days: number;
    minDays: number;
  };
} | {
  code: "baseline-no-temperature";
  params: {
    days: number;
  };
} | {
  code: "baseline-insufficient-days";
  params: {
    usableDays: number;
    periodDays: number;
    requiredDays: number;
    requiredPct: number;
    daysWithoutEnergy: number;
    daysWithoutTemperature: number;
  };
} | {
  code: "baseline-unavailable";
  params: {
    site: string;
  };
} | {
  code: "hourly-profile-few-weeks";
  params: {
    hours: number;
    minWeeks: number;
  };
} | {
  code: "profile-unusual-day";
  params: {
    date: string;
    dayType: string;
  };
} | {
  code: "no-measured-hour-today";
  params: {
    elapsedHours: number;
  };
} | {
  code: "insufficient-temperature-days";
  params: {
    daysWithTemperature: number;
    periodDays: number;
    requiredDays: number;
  };
} | {
  code: "no-reference-dju";
  params: {
    daysMissing: number;
    periodDays: number;
  };
} | {
  code: "decret-no-reference";
  params: {
    referenceYear: number;
    measuredSharePct: number;
    requiredSharePct: number;
  };
} | {
  code: "decret-no-seasonal-profile";
  params: {
    site: string;
    monthsMissing: number;
  };
} | {
  code: "decret-no-measured-year";
  params: {
    fromYear: number;
    toYear: number;
    requiredSharePct: number;
  };
} | {
  code: "invalid-parameter";
  params: {
    location: string;
    field: string;
    detail: string;
  };
} | {
  code: "unknown-parameter";
  params: {
    location: string;
    field: string;
  };
} | {
  code: "invalid-date";
  params: {
    field: string;
    value: string;
  };
} | {
  code: "date-out-of-range";
  params: {
    field: string;
    min: string;
    max: string;
  };
} | {
  code: "period-reversed";
  params: {
    from: string;
    to: string;
  };
} | {
  code: "period-too-long";
  params: {
    days: number;
    maxDays: number;
  };
} | {
  code: "unknown-site";
  params: {
    site: string;
  };
} | {
  code: "decret-not-configured";
  params: {
    site: string;
  };
} | {
  code: "year-range";
  params: {
    fromYear: number;
    toYear: number;
    maxYears: number;
  };
} | {
  code: "unknown-device";
  params: {
    site: string;
    device: string;
    known: Array<string>;
  };
} | {
  code: "unknown-quantity";
  params: {
    site: string;
    device: string;
    quantity: string;
    declared: Array<string>;
  };
} | {
  code: "no-route";
  params: {
    method: string;
    path: string;
  };
} | {
  code: "unknown-alert";
  params: {
    id: number;
  };
} | {
  code: "alert-resolved";
  params: {
    id: number;
  };
} | {
  code: "unknown-silence";
  params: {
    id: number;
  };
} | {
  code: "client-error";
  params: {
    statusCode: number;
  };
} | {
  code: "analytics-busy";
  params: {
    queued: number;
    retryAfterS: number;
  };
} | {
  code: "login-required";
  params: Record<string, unknown>;
} | {
  code: "invalid-token";
  params: Record<string, unknown>;
} | {
  code: "csrf-token-required";
  params: {
    header: string;
  };
} | {
  code: "admin-only";
  params: Record<string, unknown>;
} | {
  code: "cross-origin-login";
  params: Record<string, unknown>;
} | {
  code: "too-many-logins";
  params: {
    by: string;
    retryAfterS: number;
  };
} | {
  code: "wrong-credentials";
  params: Record<string, unknown>;
} | {
  code: "user-exists";
  params: {
    field: string;
  };
} | {
  code: "unknown-user";
  params: {
    id: number;
  };
} | {
  code: "unknown-token";
  params: {
    id: number;
  };
} | {
  code: "internal-error";
  params: Record<string, unknown>;
};

export type Site = {
  id: string;
  name: string;
  usage: "office" | "industrial" | "education" | "warehouse" | "retail" | "other";
  city: (string) | null;
  /** Heated floor area, m² */
  floorAreaM2: number;
  /** IANA time zone; 1d buckets are its local days */
  timezone: string;
  devices: Array<{
    id: string;
    name: string;
    kind: "electricity-meter" | "gas-meter" | "heat-meter" | "water-meter" | "temperature-sensor" | "co2-sensor" | "humidity-sensor" | "occupancy-sensor" | "multi-sensor" | "weather-station";
    quantities: Array<{
      name: "energy_kwh" | "gas_m3" | "water_m3" | "heat_kwh" | "power_w" | "temperature_c" | "humidity_pct" | "co2_ppm" | "occupancy" | "presence";
      unit: string;
      kind: "cumulative" | "instantaneous";
    }>;
  }>;
};
