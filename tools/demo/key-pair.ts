console.log("demo: sim-kme and the ETSI 014 client have not landed yet; nothing to run.");
