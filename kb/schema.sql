CREATE TABLE claim (
	id VARCHAR NOT NULL, 
	title VARCHAR NOT NULL, 
	statement VARCHAR NOT NULL, 
	kind VARCHAR NOT NULL, 
	stream VARCHAR NOT NULL, 
	status VARCHAR NOT NULL, 
	tier VARCHAR NOT NULL, 
	origin VARCHAR, 
	channel VARCHAR NOT NULL, 
	study VARCHAR, 
	date VARCHAR, 
	path VARCHAR NOT NULL, 
	data VARCHAR NOT NULL, 
	PRIMARY KEY (id)
);
CREATE INDEX ix_claim_channel ON claim (channel);
CREATE INDEX ix_claim_kind ON claim (kind);
CREATE INDEX ix_claim_origin ON claim (origin);
CREATE INDEX ix_claim_status ON claim (status);
CREATE INDEX ix_claim_stream ON claim (stream);
CREATE TABLE confound_type (
	id VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	grp VARCHAR NOT NULL, 
	severity VARCHAR NOT NULL, 
	path VARCHAR NOT NULL, 
	data VARCHAR NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE discrepancy (
	id VARCHAR NOT NULL, 
	title VARCHAR NOT NULL, 
	subject VARCHAR NOT NULL, 
	path VARCHAR NOT NULL, 
	data VARCHAR NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE file (
	path VARCHAR NOT NULL, 
	size INTEGER NOT NULL, 
	mtime_ns INTEGER NOT NULL, 
	claim_id VARCHAR, 
	PRIMARY KEY (path)
);
CREATE TABLE hypothesis (
	id VARCHAR NOT NULL, 
	title VARCHAR NOT NULL, 
	stream VARCHAR NOT NULL, 
	prior FLOAT NOT NULL, 
	path VARCHAR NOT NULL, 
	data VARCHAR NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE meta (
	"key" VARCHAR NOT NULL, 
	value VARCHAR NOT NULL, 
	PRIMARY KEY ("key")
);
CREATE TABLE model (
	id VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	developer VARCHAR NOT NULL, 
	path VARCHAR NOT NULL, 
	data VARCHAR NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE problem (
	path VARCHAR NOT NULL, 
	line INTEGER NOT NULL, 
	field VARCHAR NOT NULL, 
	message VARCHAR NOT NULL, 
	PRIMARY KEY (path, line, field, message)
);
CREATE TABLE question (
	id VARCHAR NOT NULL, 
	title VARCHAR NOT NULL, 
	path VARCHAR NOT NULL, 
	data VARCHAR NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE source (
	id VARCHAR NOT NULL, 
	title VARCHAR NOT NULL, 
	type VARCHAR NOT NULL, 
	path VARCHAR NOT NULL, 
	data VARCHAR NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE text (
	id VARCHAR NOT NULL, 
	source VARCHAR NOT NULL, 
	file VARCHAR NOT NULL, 
	sha256 VARCHAR NOT NULL, 
	lines INTEGER NOT NULL, 
	path VARCHAR NOT NULL, 
	data VARCHAR NOT NULL, 
	PRIMARY KEY (id)
);
CREATE TABLE claim_confound (
	claim_id VARCHAR NOT NULL, 
	position INTEGER NOT NULL, 
	type VARCHAR NOT NULL, 
	controlled VARCHAR NOT NULL, 
	detail VARCHAR NOT NULL, 
	PRIMARY KEY (claim_id, position), 
	FOREIGN KEY(claim_id) REFERENCES claim (id)
);
CREATE INDEX ix_claim_confound_type ON claim_confound (type);
CREATE TABLE claim_model (
	claim_id VARCHAR NOT NULL, 
	position INTEGER NOT NULL, 
	model VARCHAR NOT NULL, 
	as_written VARCHAR NOT NULL, 
	PRIMARY KEY (claim_id, position), 
	FOREIGN KEY(claim_id) REFERENCES claim (id)
);
CREATE INDEX ix_claim_model_model ON claim_model (model);
CREATE TABLE link (
	claim_id VARCHAR NOT NULL, 
	position INTEGER NOT NULL, 
	hypothesis VARCHAR NOT NULL, 
	bearing VARCHAR NOT NULL, 
	strength VARCHAR NOT NULL, 
	rationale VARCHAR NOT NULL, 
	PRIMARY KEY (claim_id, position), 
	FOREIGN KEY(claim_id) REFERENCES claim (id)
);
CREATE INDEX ix_link_hypothesis ON link (hypothesis);
CREATE TABLE locator (
	claim_id VARCHAR NOT NULL, 
	position INTEGER NOT NULL, 
	text VARCHAR NOT NULL, 
	start INTEGER NOT NULL, 
	"end" INTEGER NOT NULL, 
	quote VARCHAR NOT NULL, 
	speaker VARCHAR NOT NULL, 
	PRIMARY KEY (claim_id, position), 
	FOREIGN KEY(claim_id) REFERENCES claim (id)
);
CREATE INDEX ix_locator_text ON locator (text);
