# Lakebox Python function runtime: loads the handler like AWS's awslambdaric and serves invocations over fds 3 (in) and 4 (out).
import decimal
import importlib
import json
import logging
import os
import resource
import sys
import tempfile
import time
import traceback

ENV = os.environ
TASK_ROOT = ENV.get('LAMBDA_TASK_ROOT', os.getcwd())
HANDLER = ENV.get('_HANDLER', '')
CURRENT_ID = None

# The bootstrap's own directory must not shadow user modules.
if sys.path and os.path.abspath(sys.path[0]) == os.path.dirname(os.path.abspath(__file__)):
    sys.path.pop(0)
sys.path.insert(0, TASK_ROOT)
if ENV.get('TMPDIR'):
    tempfile.tempdir = ENV['TMPDIR']

memory_mb = int(ENV.get('AWS_LAMBDA_FUNCTION_MEMORY_SIZE', '128'))
headroom_mb = int(ENV.get('LAKEBOX_MEMORY_HEADROOM_MB', '512'))
try:
    limit = (memory_mb + headroom_mb) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
except (ValueError, OSError):
    pass

# Die with the server (Linux): a killed server must not leave functions running.
try:
    import ctypes
    import signal
    ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
except Exception:
    pass

control_in = os.fdopen(3, 'rb', buffering=0)


def send(message):
    data = (json.dumps(message) + '\n').encode('utf-8')
    view = memoryview(data)
    while view:
        written = os.write(4, view)
        view = view[written:]


class _Formatter(logging.Formatter):
    converter = time.gmtime

    def format(self, record):
        record.aws_request_id = CURRENT_ID or ''
        return super().format(record).replace('\n', '\r')


_handler = logging.StreamHandler(sys.stdout)
_handler.setFormatter(_Formatter('[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s', '%Y-%m-%dT%H:%M:%S'))
logging.getLogger().addHandler(_handler)


def make_error(message, error_type, stack, request_id):
    return {'errorMessage': message, 'errorType': error_type, 'requestId': request_id, 'stackTrace': stack}


class InitError(Exception):
    def __init__(self, payload):
        super().__init__(payload['errorMessage'])
        self.payload = payload


def user_frames(tb, skip):
    frames = traceback.extract_tb(tb)[skip:]
    return traceback.format_list(frames)


def load_handler():
    try:
        modname, fname = HANDLER.rsplit('.', 1)
    except ValueError as e:
        raise InitError(make_error("Bad handler '%s': %s" % (HANDLER, e), 'Runtime.MalformedHandlerName', [], ''))
    modname = modname.replace('/', '.')
    if modname.split('.')[0] in sys.builtin_module_names:
        raise InitError(make_error('Cannot use built-in module %s as a handler module' % modname, 'Runtime.BuiltInModuleConflict', [], ''))
    try:
        module = importlib.import_module(modname)
    except ImportError as e:
        raise InitError(make_error("Unable to import module '%s': %s" % (modname, e), 'Runtime.ImportModuleError', [], ''))
    except SyntaxError as e:
        raise InitError(make_error("Syntax error in module '%s': %s" % (modname, e), 'Runtime.UserCodeSyntaxError', [], ''))
    except Exception as e:
        raise InitError(make_error(str(e), type(e).__name__, user_frames(e.__traceback__, 1), ''))
    fn = getattr(module, fname, None)
    if fn is None:
        raise InitError(make_error("Handler '%s' missing on module '%s'" % (fname, modname), 'Runtime.HandlerNotFound', [], ''))
    return fn


class CognitoIdentity:
    cognito_identity_id = None
    cognito_identity_pool_id = None


class _Obj:
    def __init__(self, data):
        for k, v in (data or {}).items():
            setattr(self, k, v)


class ClientContext:
    def __init__(self, data):
        client = data.get('client')
        self.client = None if client is None else _Obj({
            'installation_id': client.get('installation_id'),
            'app_title': client.get('app_title'),
            'app_version_name': client.get('app_version_name'),
            'app_version_code': client.get('app_version_code'),
            'app_package_name': client.get('app_package_name'),
        })
        self.custom = data.get('custom')
        self.env = data.get('env')


class LambdaContext:
    def __init__(self, msg):
        self.aws_request_id = msg['id']
        self.invoked_function_arn = msg['arn']
        self._deadline_ms = msg['deadline']
        self.function_name = ENV.get('AWS_LAMBDA_FUNCTION_NAME')
        self.function_version = ENV.get('AWS_LAMBDA_FUNCTION_VERSION')
        self.memory_limit_in_mb = ENV.get('AWS_LAMBDA_FUNCTION_MEMORY_SIZE')
        self.log_group_name = ENV.get('AWS_LAMBDA_LOG_GROUP_NAME')
        self.log_stream_name = ENV.get('AWS_LAMBDA_LOG_STREAM_NAME')
        self.identity = CognitoIdentity()
        cc = msg.get('clientContext')
        self.client_context = None if cc is None else ClientContext(json.loads(cc))
        self.tenant_id = None

    def get_remaining_time_in_millis(self):
        return max(int(self._deadline_ms - time.time() * 1000), 0)

    def log(self, msg):
        sys.stdout.write(str(msg))
        sys.stdout.flush()

    def __repr__(self):
        return '%s([aws_request_id=%s,function_name=%s])' % (type(self).__name__, self.aws_request_id, self.function_name)


def _default(obj):
    if isinstance(obj, decimal.Decimal):
        return float(obj) if obj % 1 else int(obj)
    raise TypeError('Object of type %s is not JSON serializable' % type(obj).__name__)


def serialize(result):
    if isinstance(result, (bytes, bytearray)):
        return bytes(result).decode('utf-8', 'replace')
    return json.dumps(result, default=_default, ensure_ascii=sys.version_info < (3, 12))


def finish(request_id, ok, body):
    sys.stdout.flush()
    sys.stderr.flush()
    marker = ('\x00lakebox-end:%s\x00\n' % request_id).encode('utf-8')
    os.write(1, marker)
    os.write(2, marker)
    mem = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    send({'t': 'result', 'id': request_id, 'ok': ok, 'payload': body, 'mem': mem})


def log_error(payload):
    lines = ['[ERROR] %s: %s' % (payload['errorType'], payload['errorMessage'])]
    if payload['stackTrace']:
        lines.append('Traceback (most recent call last):')
        lines.extend(s.replace('  ', '\u00a0\u00a0') for s in payload['stackTrace'])
    sys.stdout.write(''.join(l if l.endswith('\n') else l + '\n' for l in lines).rstrip('\n').replace('\n', '\r') + '\n')


def main():
    global CURRENT_ID
    started = time.time()
    handler = None
    init_error = None
    try:
        handler = load_handler()
    except InitError as e:
        init_error = e.payload
    send({'t': 'ready', 'initMs': int((time.time() - started) * 1000), 'initError': init_error is not None})
    while True:
        line = control_in.readline()
        if not line:
            return
        msg = json.loads(line)
        request_id = msg['id']
        CURRENT_ID = request_id
        if init_error is not None:
            log_error(init_error)
            finish(request_id, False, json.dumps(init_error))
            continue
        try:
            event = json.loads(msg['payload'])
            result = handler(event, LambdaContext(msg))
        except Exception as e:
            payload = make_error(str(e), type(e).__name__, user_frames(e.__traceback__, 1), request_id)
            log_error(payload)
            finish(request_id, False, json.dumps(payload))
            CURRENT_ID = None
            continue
        try:
            body = serialize(result)
        except Exception as e:
            payload = make_error('Unable to marshal response: %s' % e, 'Runtime.MarshalError', [], request_id)
            log_error(payload)
            finish(request_id, False, json.dumps(payload))
        else:
            finish(request_id, True, body)
        CURRENT_ID = None


main()
