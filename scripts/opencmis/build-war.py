#!/usr/bin/env python3
"""Makes the test suite's OpenCMIS InMemory WAR from Apache's: the Web Services binding
removed (it needs JAX-WS, which Java 11+ no longer ships; the Browser and AtomPub bindings
stay), our repository.properties and document type (eingang-types.xml) put in, and HTTP
BASIC authentication required for every URL (role `eingang`, realm `Eingang-Test`: the
in-memory repository itself takes any account, so the servlet container checks the
password — Jetty's HashLoginService from jetty-realm.xml).

    build-war.py APACHE.war OUT.war
"""
import pathlib
import re
import sys
import zipfile

here = pathlib.Path(__file__).resolve().parent
AUTH = """
    <security-constraint>
        <web-resource-collection>
            <web-resource-name>CMIS</web-resource-name>
            <url-pattern>/*</url-pattern>
        </web-resource-collection>
        <auth-constraint><role-name>eingang</role-name></auth-constraint>
    </security-constraint>
    <login-config>
        <auth-method>BASIC</auth-method>
        <realm-name>Eingang-Test</realm-name>
    </login-config>
    <security-role><role-name>eingang</role-name></security-role>
"""
src, out = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out + ".part", "w", zipfile.ZIP_DEFLATED) as zout:
    for item in zin.infolist():
        data = zin.read(item.filename)
        if item.filename == "WEB-INF/web.xml":
            text = data.decode("utf-8")
            # <servlet> and <servlet-mapping> blocks of cmisws10 / cmisws11, and the WS listener.
            text = re.sub(r"<(servlet|servlet-mapping|filter-mapping)>((?!</\1>).)*?<servlet-name>cmisws1[01]</servlet-name>.*?</\1>",
                          "", text, flags=re.S)
            text = text.replace("</web-app>", AUTH + "</web-app>")
            data = text.encode("utf-8")
        elif item.filename == "WEB-INF/classes/repository.properties":
            data = (here / "repository.properties").read_bytes()
        zout.writestr(item, data)
    zout.writestr("WEB-INF/classes/eingang-types.xml", (here / "eingang-types.xml").read_bytes())
pathlib.Path(out + ".part").rename(out)
