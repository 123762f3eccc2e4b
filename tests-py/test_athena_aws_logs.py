"""Tables of AWS service logs as Athena's and S3's guides define them (DDL copied, only locations changed), queried
through boto3; answers computed here in Python (the regex with Python's engine)."""

from __future__ import annotations

import gzip
import json
import re

from lakebox_helpers import new_lake, result_rows, run_query

S3_ACCESS_REGEX = (r'([^ ]*) ([^ ]*) \[(.*?)\] ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ("[^"]*"|-) (-|[0-9]*) ([^ ]*) ([^ ]*) ([^ ]*) '
                   r'([^ ]*) ([^ ]*) ([^ ]*) ("[^"]*"|-) ([^ ]*)(?: ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*) ([^ ]*))?.*$')
OWNER = '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be'


def _run(athena, db, output, sql):
    qe = run_query(athena, sql, db, output)
    assert qe['Status']['State'] == 'SUCCEEDED', (sql, qe['Status'])
    return result_rows(athena, qe['QueryExecutionId'])[1:]


def test_s3_server_access_logs_with_24_regex_groups_in_a_backticked_db_table(s3, athena_client, glue_client):
    bucket, _ = new_lake(s3, glue_client, 's3logs')
    output = f's3://{bucket}/results/'
    lines = []
    for i, (op, status, sent) in enumerate([('REST.GET.OBJECT', '200', '1024'), ('REST.PUT.OBJECT', '200', '-'), ('REST.GET.OBJECT', '404', '243'),
                                            ('REST.GET.VERSIONING', '200', '113'), ('REST.GET.OBJECT', '200', '2048')]):
        lines.append(f'{OWNER} lake [06/Feb/2019:00:00:{i:02d} +0000] 192.0.2.{i} {OWNER} 3E57427F3EXAMPLE{i} {op} photos/{i}.jpg '
                     f'"GET /lake/photos/{i}.jpg HTTP/1.1" {status} - {sent} 4096 7 - "-" "S3Console/0.4" - s9lzHYrFp76ZVx{i}= SigV4 '
                     f'ECDHE-RSA-AES128-GCM-SHA256 AuthHeader lake.s3.us-west-1.amazonaws.com TLSV1.2')
    lines.append(f'{OWNER} lake [06/Feb/2019:00:01:00 +0000] 192.0.2.9 {OWNER} OLDFORMAT REST.HEAD.OBJECT k "HEAD /lake/k HTTP/1.1" 200 - - 10 1 - "-" "curl" -')
    s3.put_object(Bucket=bucket, Key='s3logs/prefix/2019-02-06-00-00-00-AAAA', Body='\n'.join(lines).encode())
    db = f'{bucket.replace("-", "_")}_db'
    _run(athena_client, None, output, f'CREATE DATABASE {db}')
    _run(athena_client, 'default', output, f"""CREATE EXTERNAL TABLE `{db}.mybucket_logs`(
        `bucketowner` STRING, `bucket_name` STRING, `requestdatetime` STRING, `remoteip` STRING, `requester` STRING, `requestid` STRING,
        `operation` STRING, `key` STRING, `request_uri` STRING, `httpstatus` STRING, `errorcode` STRING, `bytessent` BIGINT,
        `objectsize` BIGINT, `totaltime` STRING, `turnaroundtime` STRING, `referrer` STRING, `useragent` STRING, `versionid` STRING,
        `hostid` STRING, `sigv` STRING, `ciphersuite` STRING, `authtype` STRING, `endpoint` STRING, `tlsversion` STRING)
      ROW FORMAT SERDE 'org.apache.hadoop.hive.serde2.RegexSerDe'
      WITH SERDEPROPERTIES ('input.regex'='{S3_ACCESS_REGEX.replace('"', chr(92) + '"').replace('[', chr(92) + '[').replace(']', chr(92) + ']')}')
      STORED AS INPUTFORMAT 'org.apache.hadoop.mapred.TextInputFormat'
      OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat'
      LOCATION 's3://{bucket}/s3logs/prefix/'""")
    assert glue_client.get_table(DatabaseName=db, Name='mybucket_logs')['Table']['Name'] == 'mybucket_logs'
    parsed = [re.fullmatch(S3_ACCESS_REGEX, line) for line in lines]
    assert all(parsed)
    want = {}
    for m in parsed:
        sent = int(m.group(12)) if m.group(12).isdigit() else None
        n, total = want.get(m.group(7), (0, None))
        want[m.group(7)] = (n + 1, total if sent is None else (total or 0) + sent)
    got = _run(athena_client, db, output, 'SELECT operation, count(*), sum(bytessent) FROM mybucket_logs GROUP BY operation ORDER BY operation')
    assert got == [[op, str(n), None if s is None else str(s)] for op, (n, s) in sorted(want.items())]
    # The optional trailing group (older log lines end earlier) is empty text, as the regex matches it.
    got = _run(athena_client, db, output, "SELECT requestid, tlsversion, endpoint FROM mybucket_logs WHERE httpstatus = '404' OR requestid = 'OLDFORMAT' ORDER BY 1")
    assert got == [['3E57427F3EXAMPLE2', 'TLSV1.2', 'lake.s3.us-west-1.amazonaws.com'], ['OLDFORMAT', '', '']]


def test_vpc_flow_logs_partitioned_by_a_column_named_date(s3, athena_client, glue_client):
    bucket, db = new_lake(s3, glue_client, 'vpclogs')
    output = f's3://{bucket}/results/'
    header = 'version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status'
    days = {'2020-05-04': [(443, 6, 10, 840), (53, 17, 1, 76), (22, 6, 5, 300)], '2020-05-05': [(443, 6, 2, 100)]}
    for day, rows in days.items():
        body = '\n'.join([header] + [f'2 123456789012 eni-1235b8ca 203.0.113.12 172.31.16.139 {p} 49761 {proto} {pk} {b} 1588550000 1588550060 '
                                     f'{"ACCEPT" if p != 22 else "REJECT"} OK' for p, proto, pk, b in rows]) + '\n'
        s3.put_object(Bucket=bucket, Key=f'vpc/{day.replace("-", "/")}/flow.log.gz', Body=gzip.compress(body.encode()))
    _run(athena_client, db, output, f"""CREATE EXTERNAL TABLE IF NOT EXISTS vpc_flow_logs (
        version int, account_id string, interface_id string, srcaddr string, dstaddr string, srcport int, dstport int,
        protocol bigint, packets bigint, bytes bigint, start bigint, `end` bigint, action string, log_status string)
      PARTITIONED BY (`date` date)
      ROW FORMAT DELIMITED FIELDS TERMINATED BY ' '
      LOCATION 's3://{bucket}/vpc/'
      TBLPROPERTIES ("skip.header.line.count"="1")""")
    for day in days:
        _run(athena_client, db, output, f"ALTER TABLE vpc_flow_logs ADD PARTITION (`date`='{day}') LOCATION 's3://{bucket}/vpc/{day.replace('-', '/')}'")
    rows = days['2020-05-04']
    got = _run(athena_client, db, output, "SELECT count(*), sum(bytes) FROM vpc_flow_logs WHERE date = DATE('2020-05-04')")
    assert got == [[str(len(rows)), str(sum(r[3] for r in rows))]]
    got = _run(athena_client, db, output, "SELECT action, count(*) FROM vpc_flow_logs WHERE \"date\" BETWEEN DATE '2020-05-04' AND DATE '2020-05-05' "
                                          "GROUP BY action ORDER BY action")
    assert got == [['ACCEPT', '3'], ['REJECT', '1']]


def test_json_struct_column_missing_from_some_files_keeps_its_type(s3, athena_client, glue_client):
    """WAF logs: captchaResponse appears only in some files; the column is a struct in every file's reading."""
    bucket, db = new_lake(s3, glue_client, 'wafstruct')
    output = f's3://{bucket}/results/'
    s3.put_object(Bucket=bucket, Key='waf/a.json', Body=b'{"id":1,"captchaResponse":{"responseCode":405,"failureReason":"TOKEN_MISSING"}}\n')
    s3.put_object(Bucket=bucket, Key='waf/b.json', Body=b'{"id":2}\n{"id":3}\n')
    _run(athena_client, db, output, f"CREATE EXTERNAL TABLE waf (id int, captcharesponse struct<responsecode:string, failurereason:string>) "
                                    f"ROW FORMAT SERDE 'org.openx.data.jsonserde.JsonSerDe' LOCATION 's3://{bucket}/waf/'")
    got = _run(athena_client, db, output, 'SELECT id, captcharesponse.failurereason, captcharesponse.responsecode, captcharesponse, typeof(captcharesponse) '
                                          'FROM waf ORDER BY id')
    struct_type = 'row(responsecode varchar, failurereason varchar)'
    assert got == [['1', 'TOKEN_MISSING', '405', '{responsecode=405, failurereason=TOKEN_MISSING}', struct_type],
                   ['2', None, None, None, struct_type], ['3', None, None, None, struct_type]]


def test_default_database_exists_for_the_guides_that_use_it(s3, athena_client, glue_client):
    """CloudFront's guide creates `default.cloudfront_logs` without creating `default`: Athena has that database."""
    bucket, _ = new_lake(s3, glue_client, 'defaultdb')
    output = f's3://{bucket}/results/'
    lines = ['#Version: 1.0', '#Fields: date time x-edge-location sc-bytes c-ip cs-method',
             '2024-03-01\t10:00:00\tSEA19-C1\t1000\t192.0.2.1\tGET', '2024-03-01\t10:00:01\tSEA19-C1\t2500\t192.0.2.2\tPOST']
    s3.put_object(Bucket=bucket, Key='cf/E1.2024-03-01-10.abc.gz', Body=gzip.compress(('\n'.join(lines) + '\n').encode()))
    table = f'cf_{bucket.replace("-", "_")}'
    _run(athena_client, None, output, f"""CREATE EXTERNAL TABLE IF NOT EXISTS default.{table} (
        `date` DATE, time STRING, x_edge_location STRING, sc_bytes BIGINT, c_ip STRING, cs_method STRING)
      ROW FORMAT DELIMITED FIELDS TERMINATED BY '\\t'
      LOCATION 's3://{bucket}/cf/'
      TBLPROPERTIES ('skip.header.line.count'='2')""")
    assert _run(athena_client, 'default', output, f'SELECT cs_method, sc_bytes FROM {table} ORDER BY sc_bytes') == [['GET', '1000'], ['POST', '2500']]
    assert json.loads(json.dumps(glue_client.get_database(Name='default')['Database']['Name'])) == 'default'


def test_alb_access_logs_with_the_guides_33_column_regex(s3, athena_client, glue_client):
    """The ALB table of Athena's guide (tests-py/alb_logs_ddl.sql, as published); lines with IPv6 clients and missing targets."""
    import os

    bucket, db = new_lake(s3, glue_client, 'alblogs')
    output = f's3://{bucket}/results/'
    tg = 'arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/my-targets/73e2d6bc24d8a067'
    lines = [
        f'http 2022-02-12T22:23:00.186641Z app/my-lb/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 0.000 0.001 0.000 200 200 34 366 '
        f'"GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - {tg} "Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 '
        f'2022-02-12T22:22:48.364000Z "forward" "-" "-" "10.0.0.1:80" "200" "-" "-"',
        f'https 2022-02-12T22:23:04.186641Z app/my-lb/50dc6c495c0c9188 2001:db8:85a3::8a2e:370:7334:51234 10.0.0.1:80 0.001 0.012 0.000 502 - 120 400 '
        f'"POST https://www.example.com:443/api/v1/orders HTTP/1.1" "Mozilla/5.0 (X11)" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.3 {tg} '
        f'"Root=1-58337364-23a8c76965a2ef7629b185e4" "www.example.com" "-" 2 2022-02-12T22:23:04.174000Z "forward" "-" "-" "10.0.0.1:80" "-" '
        f'"Ambiguous" "UndefinedContentLengthSemantics"',
        f'http 2022-02-12T22:23:05.186641Z app/my-lb/50dc6c495c0c9188 203.0.113.7:60123 - -1 -1 -1 503 - 117 306 '
        f'"GET http://www.example.com:80/health HTTP/1.1" "ELB-HealthChecker/2.0" - - - "Root=1-58337364-23a8c76965a2ef7629b185e5" "-" "-" 0 '
        f'2022-02-12T22:23:05.180000Z "forward" "-" "-" "-" "-" "-" "-"',
    ]
    s3.put_object(Bucket=bucket, Key='alb/2022/02/12/app.my-lb_20220212T2225Z_10.0.0.1_abc.log.gz', Body=gzip.compress(('\n'.join(lines) + '\n').encode()))
    ddl = open(os.path.join(os.path.dirname(__file__), 'alb_logs_ddl.sql')).read().replace('{bucket}', bucket)
    _run(athena_client, db, output, ddl)
    regex = re.search(r"'input.regex' =\s*'(.*)'\)", ddl).group(1).replace('\\"', '"').replace('\\s', 's')
    parsed = [re.fullmatch(regex, line) for line in lines]
    assert all(parsed)
    got = _run(athena_client, db, output, 'SELECT client_ip, client_port, elb_status_code, target_status_code, request_verb, request_url, '
                                          'target_processing_time, classification FROM alb_logs ORDER BY time')
    want = [[m.group(4), m.group(5), m.group(11), m.group(12), m.group(15), m.group(16), repr(float(m.group(9))), m.group(32)] for m in parsed]
    assert got == want
