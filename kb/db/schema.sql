CREATE TABLE confound_type (
	id VARCHAR NOT NULL, 
	name VARCHAR NOT NULL, 
	grp VARCHAR NOT NULL, 
	definition VARCHAR NOT NULL, 
	control VARCHAR NOT NULL, 
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
	size VARCHAR NOT NULL, 
	mtime_ns VARCHAR NOT NULL, 
	claim_id VARCHAR, 
	PRIMARY KEY (path)
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
	family VARCHAR NOT NULL, 
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
	date VARCHAR, 
	authors VARCHAR NOT NULL, 
	path VARCHAR NOT NULL, 
	data VARCHAR NOT NULL, 
	PRIMARY KEY (id)
);
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
	superseded_by VARCHAR, 
	path VARCHAR NOT NULL, 
	data VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(origin) REFERENCES source (id), 
	FOREIGN KEY(channel) REFERENCES source (id), 
	FOREIGN KEY(superseded_by) REFERENCES claim (id)
);
CREATE INDEX ix_claim_channel ON claim (channel);
CREATE INDEX ix_claim_kind ON claim (kind);
CREATE INDEX ix_claim_origin ON claim (origin);
CREATE INDEX ix_claim_status ON claim (status);
CREATE INDEX ix_claim_stream ON claim (stream);
CREATE TABLE hypothesis (
	id VARCHAR NOT NULL, 
	title VARCHAR NOT NULL, 
	statement VARCHAR NOT NULL, 
	stream VARCHAR NOT NULL, 
	prior FLOAT NOT NULL, 
	question VARCHAR, 
	path VARCHAR NOT NULL, 
	data VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(question) REFERENCES question (id)
);
CREATE TABLE signalling_question (
	confound_type VARCHAR NOT NULL, 
	position INTEGER NOT NULL, 
	question VARCHAR NOT NULL, 
	PRIMARY KEY (confound_type, position), 
	FOREIGN KEY(confound_type) REFERENCES confound_type (id)
);
CREATE TABLE text (
	id VARCHAR NOT NULL, 
	source VARCHAR NOT NULL, 
	file VARCHAR NOT NULL, 
	sha256 VARCHAR NOT NULL, 
	lines INTEGER NOT NULL, 
	path VARCHAR NOT NULL, 
	data VARCHAR NOT NULL, 
	PRIMARY KEY (id), 
	FOREIGN KEY(source) REFERENCES source (id)
);
CREATE TABLE claim_confound (
	claim_id VARCHAR NOT NULL, 
	position INTEGER NOT NULL, 
	type VARCHAR NOT NULL, 
	controlled VARCHAR NOT NULL, 
	detail VARCHAR NOT NULL, 
	how VARCHAR, 
	threatens VARCHAR NOT NULL, 
	reason VARCHAR NOT NULL, 
	PRIMARY KEY (claim_id, position), 
	FOREIGN KEY(claim_id) REFERENCES claim (id), 
	FOREIGN KEY(type) REFERENCES confound_type (id)
);
CREATE INDEX ix_claim_confound_type ON claim_confound (type);
CREATE TABLE claim_event (
	claim_id VARCHAR NOT NULL, 
	position INTEGER NOT NULL, 
	at VARCHAR NOT NULL, 
	actor VARCHAR NOT NULL, 
	event VARCHAR NOT NULL, 
	detail VARCHAR NOT NULL, 
	PRIMARY KEY (claim_id, position), 
	FOREIGN KEY(claim_id) REFERENCES claim (id)
);
CREATE TABLE claim_model (
	claim_id VARCHAR NOT NULL, 
	position INTEGER NOT NULL, 
	model VARCHAR NOT NULL, 
	as_written VARCHAR NOT NULL, 
	variant VARCHAR, 
	PRIMARY KEY (claim_id, position), 
	FOREIGN KEY(claim_id) REFERENCES claim (id), 
	FOREIGN KEY(model) REFERENCES model (id)
);
CREATE INDEX ix_claim_model_model ON claim_model (model);
CREATE TABLE contribution (
	profile VARCHAR NOT NULL, 
	hypothesis VARCHAR NOT NULL, 
	claim VARCHAR NOT NULL, 
	cluster VARCHAR NOT NULL, 
	bearing VARCHAR NOT NULL, 
	approved BOOLEAN NOT NULL, 
	decibans FLOAT NOT NULL, 
	credence_points FLOAT NOT NULL, 
	leave_one_out_decibans FLOAT NOT NULL, 
	PRIMARY KEY (profile, hypothesis, claim), 
	FOREIGN KEY(hypothesis) REFERENCES hypothesis (id), 
	FOREIGN KEY(claim) REFERENCES claim (id)
);
CREATE TABLE discrepancy_claim (
	discrepancy VARCHAR NOT NULL, 
	position INTEGER NOT NULL, 
	claim VARCHAR NOT NULL, 
	PRIMARY KEY (discrepancy, position), 
	FOREIGN KEY(discrepancy) REFERENCES discrepancy (id), 
	FOREIGN KEY(claim) REFERENCES claim (id)
);
CREATE TABLE hypothesis_rival (
	hypothesis VARCHAR NOT NULL, 
	position INTEGER NOT NULL, 
	rival VARCHAR NOT NULL, 
	PRIMARY KEY (hypothesis, position), 
	FOREIGN KEY(hypothesis) REFERENCES hypothesis (id), 
	FOREIGN KEY(rival) REFERENCES hypothesis (id)
);
CREATE TABLE link (
	claim_id VARCHAR NOT NULL, 
	position INTEGER NOT NULL, 
	hypothesis VARCHAR NOT NULL, 
	bearing VARCHAR NOT NULL, 
	strength VARCHAR NOT NULL, 
	rationale VARCHAR NOT NULL, 
	PRIMARY KEY (claim_id, position), 
	FOREIGN KEY(claim_id) REFERENCES claim (id), 
	FOREIGN KEY(hypothesis) REFERENCES hypothesis (id)
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
	FOREIGN KEY(claim_id) REFERENCES claim (id), 
	FOREIGN KEY(text) REFERENCES text (id)
);
CREATE INDEX ix_locator_text ON locator (text);
CREATE TABLE portfolio (
	profile VARCHAR NOT NULL, 
	hypothesis VARCHAR NOT NULL, 
	prior FLOAT NOT NULL, 
	posterior FLOAT NOT NULL, 
	low FLOAT NOT NULL, 
	high FLOAT NOT NULL, 
	decibans FLOAT NOT NULL, 
	grade VARCHAR NOT NULL, 
	n_supports INTEGER NOT NULL, 
	n_undermines INTEGER NOT NULL, 
	n_mixed INTEGER NOT NULL, 
	fragile BOOLEAN NOT NULL, 
	top_driver VARCHAR, 
	unreviewed_share FLOAT NOT NULL, 
	data VARCHAR NOT NULL, 
	PRIMARY KEY (profile, hypothesis), 
	FOREIGN KEY(hypothesis) REFERENCES hypothesis (id), 
	FOREIGN KEY(top_driver) REFERENCES claim (id)
);
CREATE TABLE question_answer (
	question VARCHAR NOT NULL, 
	position INTEGER NOT NULL, 
	hypothesis VARCHAR NOT NULL, 
	PRIMARY KEY (question, position), 
	FOREIGN KEY(question) REFERENCES question (id), 
	FOREIGN KEY(hypothesis) REFERENCES hypothesis (id)
);
CREATE TABLE review (
	claim_id VARCHAR NOT NULL, 
	position INTEGER NOT NULL, 
	reviewer VARCHAR NOT NULL, 
	started VARCHAR NOT NULL, 
	submitted VARCHAR, 
	verdict VARCHAR, 
	comment VARCHAR NOT NULL, 
	PRIMARY KEY (claim_id, position), 
	FOREIGN KEY(claim_id) REFERENCES claim (id)
);
CREATE INDEX ix_review_reviewer ON review (reviewer);
CREATE TABLE review_confound (
	claim_id VARCHAR NOT NULL, 
	review INTEGER NOT NULL, 
	position INTEGER NOT NULL, 
	confound VARCHAR NOT NULL, 
	answers VARCHAR NOT NULL, 
	proposed VARCHAR NOT NULL, 
	override VARCHAR, 
	judged VARCHAR NOT NULL, 
	why VARCHAR NOT NULL, 
	PRIMARY KEY (claim_id, review, position), 
	FOREIGN KEY(claim_id) REFERENCES claim (id), 
	FOREIGN KEY(confound) REFERENCES confound_type (id)
);
CREATE INDEX ix_review_confound_confound ON review_confound (confound);
CREATE TABLE review_link (
	claim_id VARCHAR NOT NULL, 
	review INTEGER NOT NULL, 
	position INTEGER NOT NULL, 
	hypothesis VARCHAR NOT NULL, 
	bearing VARCHAR NOT NULL, 
	strength VARCHAR NOT NULL, 
	why VARCHAR NOT NULL, 
	PRIMARY KEY (claim_id, review, position), 
	FOREIGN KEY(claim_id) REFERENCES claim (id), 
	FOREIGN KEY(hypothesis) REFERENCES hypothesis (id)
);
CREATE INDEX ix_review_link_hypothesis ON review_link (hypothesis);
CREATE TABLE text_line (
	text VARCHAR NOT NULL, 
	line INTEGER NOT NULL, 
	content VARCHAR NOT NULL, 
	PRIMARY KEY (text, line), 
	FOREIGN KEY(text) REFERENCES text (id)
);
CREATE VIRTUAL TABLE claim_fts USING fts5(title, statement, quotes, rationale, tokenize='porter unicode61');
CREATE VIRTUAL TABLE hypothesis_fts USING fts5(title, statement, content='hypothesis', content_rowid='rowid', tokenize='porter unicode61');
CREATE VIRTUAL TABLE confound_type_fts USING fts5(name, definition, control, content='confound_type', content_rowid='rowid', tokenize='porter unicode61');
CREATE VIRTUAL TABLE text_line_fts USING fts5(content, content='text_line', content_rowid='rowid', tokenize='porter unicode61');
CREATE VIEW findings AS SELECT id, title, kind, stream, status, tier, origin, channel, date, statement FROM claim;
CREATE VIEW claim_links AS SELECT l.claim_id, c.title AS claim_title, l.hypothesis, h.title AS hypothesis_title, l.bearing, l.strength, l.rationale FROM link l JOIN claim c ON c.id = l.claim_id LEFT JOIN hypothesis h ON h.id = l.hypothesis;
CREATE VIEW uncontrolled_confounds AS SELECT k.claim_id, c.title AS claim_title, k.type, t.name AS confound, k.controlled, k.detail FROM claim_confound k JOIN claim c ON c.id = k.claim_id LEFT JOIN confound_type t ON t.id = k.type WHERE k.controlled IN ('no', 'not-reported');
CREATE VIEW latest_portfolio AS SELECT p.hypothesis, h.title, p.profile, p.prior, p.posterior, p.low, p.high, p.decibans, p.grade, p.fragile, p.top_driver FROM portfolio p LEFT JOIN hypothesis h ON h.id = p.hypothesis;
CREATE VIEW reviewer_judgments AS SELECT r.claim_id, v.reviewer, v.verdict, t.name AS confound, r.answers, r.proposed, r.override, r.judged, r.why FROM review_confound r JOIN review v ON v.claim_id = r.claim_id AND v.position = r.review LEFT JOIN confound_type t ON t.id = r.confound;
